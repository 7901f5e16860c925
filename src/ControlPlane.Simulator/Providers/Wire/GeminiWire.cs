using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Providers.Reasoning;
using ControlPlane.Simulator.Providers.Scripting;

namespace ControlPlane.Simulator.Providers.Wire;

/// Gemini API (generativelanguage v1beta): generateContent, streamGenerateContent, google.rpc.Status errors.
internal sealed class GeminiWire : IWireFormat
{
    public static GeminiWire Instance { get; } = new();

    // Gemini frames its SSE with CRLF; clients must not assume LF.
    public string IdPrefix => "sim";

    // Gemini's functionCall parts carry no id on the Gemini API; the prefix only names the reply's call internally.
    public string ToolCallIdPrefix => "call_sim_";

    public string NewLine => "\r\n";

    public string MissingKeyMessage =>
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";

    public string WrongKeyMessage => "API key not valid. Please pass a valid API key.";

    public string UnknownModelMessage(string model) =>
        $"models/{model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.";

    public string MaxTokensTooLargeMessage(string model, int requested, int limit) =>
        $"Unable to submit request because it has a maxOutputTokens value of {requested} but the supported range is from 1 (inclusive) to {limit + 1} (exclusive). Update the value and try again.";

    // Gemini refuses with a 200 whose promptFeedback.blockReason is SAFETY, not with an error status.
    public SimError? ContentPolicyError => null;

    public string LastUserText(JsonElement body) => ConversationTails.Gemini(body).LastUserText;

    public SimError? ContextWindowError(int inputTokens, int? maxTokens, int window) =>
        inputTokens > window
            ? new SimError(SimErrorKind.InvalidRequest, $"The input token count ({inputTokens}) exceeds the maximum number of tokens allowed ({window}).")
            : null;

    public JsonNode ErrorBody(SimError error, int status, string requestId)
    {
        var (grpcStatus, message) = error.Kind switch
        {
            SimErrorKind.InvalidRequest => ("INVALID_ARGUMENT", "Request contains an invalid argument."),
            SimErrorKind.Unauthorized => ("UNAUTHENTICATED", "API key not valid. Please pass a valid API key."),
            SimErrorKind.MissingKey => ("UNAUTHENTICATED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."),
            SimErrorKind.NotFound => ("NOT_FOUND", "Requested entity was not found."),
            // Worded without "quota"/"billing" so it stays distinguishable from the spend cap below.
            SimErrorKind.RateLimited => ("RESOURCE_EXHAUSTED", "Resource exhausted. Too many requests, please try again later."),
            SimErrorKind.SpendCap => ("RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits."),
            SimErrorKind.Overloaded => ("UNAVAILABLE", "The model is overloaded. Please try again later."),
            _ => ("UNAVAILABLE", "The service is currently unavailable."),
        };

        var err = new JsonObject { ["code"] = status, ["message"] = error.Message ?? message, ["status"] = grpcStatus };
        if (error.Details is { } details)
        {
            err["details"] = details.DeepClone();
        }
        else if (error.Kind == SimErrorKind.Unauthorized)
        {
            err["details"] = new JsonArray(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo",
                ["reason"] = "API_KEY_INVALID",
                ["domain"] = "googleapis.com",
            });
        }
        else if (error.Kind == SimErrorKind.SpendCap)
        {
            err["details"] = new JsonArray(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.QuotaFailure",
                ["violations"] = new JsonArray(new JsonObject
                {
                    ["quotaMetric"] = "generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count",
                    ["quotaId"] = "GenerateContentPaidTierInputTokensPerModelPerMonth",
                }),
            });
        }

        return new JsonObject { ["error"] = err };
    }

    public SseEvent StreamError(SimError error, int status) => new(null, WireHelpers.Json(ErrorBody(error, status, "")));

    public CompletionRequest? ParseCompletion(JsonElement body, string? routeModel, bool? streamOverride, out string? problem)
    {
        problem = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            problem = "Invalid JSON payload received. Expected an object.";
            return null;
        }

        if (!WireHelpers.IsNonEmptyArray(body, "contents"))
        {
            problem = "* GenerateContentRequest.contents: contents is not specified";
            return null;
        }

        int? maxTokens = null;
        if (body.TryGetProperty("generationConfig", out var config) && config.ValueKind == JsonValueKind.Object
            && !WireHelpers.TryGetPositiveInt(config, "maxOutputTokens", out maxTokens))
        {
            problem = "* GenerateContentRequest.generation_config.max_output_tokens: must be positive";
            return null;
        }

        return new CompletionRequest(routeModel ?? "", streamOverride ?? false, maxTokens, false, WireHelpers.EstimateInputTokens(body))
        {
            Plan = ReplyScript.Decide(ConversationTails.Gemini(body)),
            ReasoningTokens = ReasoningModels.GeminiSpend(routeModel, body),
            // Thoughts count against maxOutputTokens, as on the real 2.5 and 3 models. Only with an explicit thinking
            // config for now: translated requests without one would otherwise answer empty (docs/simulator.md).
            ReasoningSharesLimit = ReasoningModels.ThinkingConfig(body) is not null,
        };
    }

    public JsonNode Completion(SimulatedReply reply) =>
        Response(reply, reply.Text, finished: true, includeCandidatesUsage: true);

    public IReadOnlyList<SseEvent> StreamEvents(SimulatedReply reply, CompletionRequest request)
    {
        if (reply.ToolCall is not null)
        {
            // Gemini streams a function call whole, in one chunk that also finishes the candidate.
            return [new SseEvent(null, WireHelpers.Json(Response(reply, "", finished: true, includeCandidatesUsage: true)), IsContent: true)];
        }

        if (reply.Pieces.Count == 0)
        {
            // Thinking spent the whole maxOutputTokens: one chunk that finishes with MAX_TOKENS and carries no text.
            return [new SseEvent(null, WireHelpers.Json(Response(reply, "", finished: true, includeCandidatesUsage: true)))];
        }

        var events = new List<SseEvent>();
        for (var i = 0; i < reply.Pieces.Count; i++)
        {
            var last = i == reply.Pieces.Count - 1;
            events.Add(new SseEvent(null, WireHelpers.Json(Response(reply, reply.Pieces[i], last, last)), IsContent: true));
        }

        return events;
    }

    public JsonNode ModelList(IReadOnlyList<string> models)
    {
        var list = new JsonArray();
        foreach (var m in models)
        {
            list.Add(Model(m));
        }

        return new JsonObject { ["models"] = list };
    }

    public JsonNode Model(string model) => new JsonObject
    {
        ["name"] = $"models/{model}",
        ["version"] = "001",
        ["displayName"] = model,
        ["description"] = "Simulated model.",
        ["inputTokenLimit"] = 1_048_576,
        ["outputTokenLimit"] = 8_192,
        ["supportedGenerationMethods"] = new JsonArray("generateContent", "countTokens"),
        ["temperature"] = 1,
        ["topP"] = 0.95,
        ["topK"] = 40,
        ["maxTemperature"] = 2,
    };

    private static JsonObject Response(SimulatedReply reply, string text, bool finished, bool includeCandidatesUsage)
    {
        var content = new JsonObject { ["role"] = "model" };
        if (reply.ToolCall is { } call)
        {
            content["parts"] = new JsonArray(new JsonObject { ["functionCall"] = new JsonObject { ["name"] = call.Name, ["args"] = JsonNode.Parse(call.ArgumentsJson) } });
        }
        else if (text.Length > 0 || reply.Pieces.Count > 0)
        {
            content["parts"] = new JsonArray(new JsonObject { ["text"] = text });
        }

        // An answer cut short before any text (thinking spent the limit) comes without parts, as Gemini sends it.
        var candidate = new JsonObject { ["content"] = content, ["index"] = 0 };
        if (finished)
        {
            candidate["finishReason"] = reply.HitMaxTokens ? "MAX_TOKENS" : "STOP";
        }

        var usage = new JsonObject { ["promptTokenCount"] = reply.InputTokens };
        if (includeCandidatesUsage)
        {
            usage["candidatesTokenCount"] = reply.OutputTokens;
        }

        // Thinking happens before the first chunk, so every chunk reports it; the total includes it.
        var thoughts = reply.ReasoningTokens ?? 0;
        if (thoughts > 0)
        {
            usage["thoughtsTokenCount"] = thoughts;
        }

        usage["totalTokenCount"] = reply.InputTokens + (includeCandidatesUsage ? reply.OutputTokens : 0) + thoughts;

        return new JsonObject
        {
            ["candidates"] = new JsonArray(candidate),
            ["usageMetadata"] = usage,
            ["modelVersion"] = reply.Model,
            ["responseId"] = reply.Id,
        };
    }
}
