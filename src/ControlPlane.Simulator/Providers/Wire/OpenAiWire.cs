using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Providers.Reasoning;
using ControlPlane.Simulator.Providers.Scripting;

namespace ControlPlane.Simulator.Providers.Wire;

/// OpenAI Chat Completions, also served by Anthropic's, Gemini's and local servers' OpenAI-compatible endpoints.
internal sealed class OpenAiWire : IWireFormat
{
    public static OpenAiWire OpenAi { get; } = new("openai");

    public static OpenAiWire Local { get; } = new("library");

    private readonly string _ownedBy;

    private OpenAiWire(string ownedBy) => _ownedBy = ownedBy;

    public string IdPrefix => "chatcmpl-sim";

    public string ToolCallIdPrefix => "call_sim_";

    public string NewLine => "\n";

    public string MissingKeyMessage =>
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";

    public string WrongKeyMessage => "Incorrect API key provided. You can find your API key in your provider's console.";

    public string UnknownModelMessage(string model) => $"The model `{model}` does not exist or you do not have access to it.";

    public string MaxTokensTooLargeMessage(string model, int requested, int limit) =>
        $"max_tokens is too large: {requested}. This model supports at most {limit} completion tokens, whereas you provided {requested}.";

    public SimError? ContentPolicyError { get; } = new(SimErrorKind.InvalidRequest,
        "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.",
        null, "content_policy_violation");

    public string LastUserText(JsonElement body) => ConversationTails.OpenAi(body).LastUserText;

    public SimError? ContextWindowError(int inputTokens, int? maxTokens, int window) =>
        inputTokens > window
            ? new SimError(SimErrorKind.InvalidRequest,
                $"This model's maximum context length is {window} tokens. However, your messages resulted in {inputTokens} tokens. Please reduce the length of the messages.",
                "messages", "context_length_exceeded")
            : maxTokens is { } output && inputTokens + output > window
                ? new SimError(SimErrorKind.InvalidRequest,
                    $"This model's maximum context length is {window} tokens. However, you requested {inputTokens + output} tokens ({inputTokens} in the messages, {output} in the completion). Please reduce the length of the messages or completion.",
                    "messages", "context_length_exceeded")
                : null;

    public JsonNode ErrorBody(SimError error, int status, string requestId) => new JsonObject { ["error"] = ErrorObject(error) };

    // OpenAI has no error event type: the error object arrives as a data line and the stream stops without [DONE].
    public SseEvent StreamError(SimError error, int status) => new(null, WireHelpers.Json(ErrorBody(error, status, "")));

    private static JsonObject ErrorObject(SimError error)
    {
        if (error.Kind == SimErrorKind.InvalidRequest && error.Message is not null)
        {
            return new JsonObject { ["message"] = error.Message, ["type"] = "invalid_request_error", ["param"] = error.Param, ["code"] = error.Code };
        }

        var (type, code, message) = error.Kind switch
        {
            SimErrorKind.InvalidRequest => ("invalid_request_error", (string?)null, "Invalid request."),
            SimErrorKind.Unauthorized => ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
            SimErrorKind.MissingKey => ("invalid_request_error", null, "You didn't provide an API key."),
            SimErrorKind.NotFound => ("invalid_request_error", "model_not_found", "Not found."),
            SimErrorKind.RateLimited => ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again later."),
            SimErrorKind.SpendCap => ("insufficient_quota", "insufficient_quota", "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors."),
            SimErrorKind.Overloaded => ("server_error", null, "The engine is currently overloaded, please try again later."),
            _ => ("server_error", null, "The server is temporarily unavailable. Please try again later."),
        };

        return new JsonObject
        {
            ["message"] = error.Message ?? message,
            ["type"] = type,
            ["param"] = null,
            ["code"] = code,
        };
    }

    public CompletionRequest? ParseCompletion(JsonElement body, string? routeModel, bool? streamOverride, out string? problem)
    {
        problem = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            problem = "Request body must be a JSON object.";
            return null;
        }

        var model = WireHelpers.GetString(body, "model");
        if (string.IsNullOrEmpty(model))
        {
            problem = "you must provide a model parameter";
            return null;
        }

        if (!WireHelpers.IsNonEmptyArray(body, "messages"))
        {
            problem = "Missing required parameter: 'messages'.";
            return null;
        }

        if (!WireHelpers.TryGetPositiveInt(body, "max_completion_tokens", out var maxCompletion)
            || !WireHelpers.TryGetPositiveInt(body, "max_tokens", out var maxTokens))
        {
            problem = "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1.";
            return null;
        }

        var stream = WireHelpers.GetBool(body, "stream") ?? false;
        var includeUsage = stream && body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && (WireHelpers.GetBool(so, "include_usage") ?? false);

        // Gemini's compat endpoint accepts "models/gemini-x"; the bare id is what the catalog names.
        if (model.StartsWith("models/", StringComparison.Ordinal))
        {
            model = model["models/".Length..];
        }

        return new CompletionRequest(model, stream, maxCompletion ?? maxTokens, includeUsage, WireHelpers.EstimateInputTokens(body))
        {
            Plan = ReplyScript.Decide(ConversationTails.OpenAi(body)),
            ReasoningTokens = ReasoningModels.OpenAiSpend(model, body),
            ReasoningSharesLimit = true,
        };
    }

    public JsonNode Completion(SimulatedReply reply) => new JsonObject
    {
        ["id"] = reply.Id,
        ["object"] = "chat.completion",
        ["created"] = reply.Created.ToUnixTimeSeconds(),
        ["model"] = reply.Model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = reply.ToolCall is { } call
                ? new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = call.Id,
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = call.ArgumentsJson },
                    }),
                    ["refusal"] = null,
                }
                : new JsonObject { ["role"] = "assistant", ["content"] = reply.Text, ["refusal"] = null },
            ["logprobs"] = null,
            ["finish_reason"] = FinishReason(reply),
        }),
        ["usage"] = Usage(reply),
        ["system_fingerprint"] = "fp_simulator",
    };

    public IReadOnlyList<SseEvent> StreamEvents(SimulatedReply reply, CompletionRequest request)
    {
        var events = new List<SseEvent>();
        if (reply.ToolCall is { } call)
        {
            // First delta names the call (id, name, empty arguments); the arguments follow in pieces, as OpenAI streams.
            events.Add(Chunk(reply, request, new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["id"] = call.Id,
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Name, ["arguments"] = "" },
                }),
                ["refusal"] = null,
            }, null, false));
            foreach (var piece in call.ArgumentPieces)
            {
                events.Add(Chunk(reply, request, new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = piece } }),
                }, null, true));
            }
        }
        else
        {
            events.Add(Chunk(reply, request, new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null }, null, false));
            foreach (var piece in reply.Pieces)
            {
                events.Add(Chunk(reply, request, new JsonObject { ["content"] = piece }, null, true));
            }
        }

        events.Add(Chunk(reply, request, new JsonObject(), FinishReason(reply), false));
        if (request.IncludeUsage)
        {
            var usageChunk = ChunkEnvelope(reply);
            usageChunk["choices"] = new JsonArray();
            usageChunk["usage"] = Usage(reply);
            events.Add(new SseEvent(null, WireHelpers.Json(usageChunk)));
        }

        events.Add(new SseEvent(null, "[DONE]"));
        return events;
    }

    public JsonNode ModelList(IReadOnlyList<string> models)
    {
        var data = new JsonArray();
        foreach (var m in models)
        {
            data.Add(Model(m));
        }

        return new JsonObject { ["object"] = "list", ["data"] = data };
    }

    public JsonNode Model(string model) => new JsonObject
    {
        ["id"] = model,
        ["object"] = "model",
        ["created"] = 1_700_000_000,
        ["owned_by"] = _ownedBy,
    };

    private static SseEvent Chunk(SimulatedReply reply, CompletionRequest request, JsonObject delta, string? finishReason, bool isContent)
    {
        var chunk = ChunkEnvelope(reply);
        chunk["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        });
        if (request.IncludeUsage)
        {
            // With include_usage every chunk but the last carries "usage": null, as OpenAI sends it.
            chunk["usage"] = null;
        }

        return new SseEvent(null, WireHelpers.Json(chunk), isContent);
    }

    private static JsonObject ChunkEnvelope(SimulatedReply reply) => new()
    {
        ["id"] = reply.Id,
        ["object"] = "chat.completion.chunk",
        ["created"] = reply.Created.ToUnixTimeSeconds(),
        ["model"] = reply.Model,
        ["system_fingerprint"] = "fp_simulator",
    };

    private static string FinishReason(SimulatedReply reply) =>
        reply.ToolCall is not null ? "tool_calls" : reply.HitMaxTokens ? "length" : "stop";

    private static JsonObject Usage(SimulatedReply reply)
    {
        // Reasoning tokens are part of completion_tokens (billed as output) and broken out in the details.
        var completion = reply.OutputTokens + (reply.ReasoningTokens ?? 0);
        var usage = new JsonObject
        {
            ["prompt_tokens"] = reply.InputTokens,
            ["completion_tokens"] = completion,
            ["total_tokens"] = reply.InputTokens + completion,
        };
        if (reply.ReasoningTokens is { } reasoning)
        {
            usage["completion_tokens_details"] = new JsonObject
            {
                ["reasoning_tokens"] = reasoning,
                ["audio_tokens"] = 0,
                ["accepted_prediction_tokens"] = 0,
                ["rejected_prediction_tokens"] = 0,
            };
        }

        return usage;
    }
}
