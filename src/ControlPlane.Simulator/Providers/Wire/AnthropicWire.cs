using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Providers.Scripting;

namespace ControlPlane.Simulator.Providers.Wire;

/// Anthropic Messages API: /v1/messages, /v1/models, error body {"type":"error","error":{type,message}}.
internal sealed class AnthropicWire : IWireFormat
{
    public static AnthropicWire Instance { get; } = new();

    public string IdPrefix => "msg_sim";

    public string ToolCallIdPrefix => "toolu_sim_";

    public string NewLine => "\n";

    public string MissingKeyMessage => "x-api-key header is required";

    public string WrongKeyMessage => "invalid x-api-key";

    public string UnknownModelMessage(string model) => $"model: {model}";

    public string MaxTokensTooLargeMessage(string model, int requested, int limit) =>
        $"max_tokens: {requested} > {limit}, which is the maximum allowed number of output tokens for {model}";

    public SimError? ContentPolicyError { get; } = new(SimErrorKind.InvalidRequest, "Output blocked by content filtering policy");

    public string LastUserText(JsonElement body) => ConversationTails.Anthropic(body).LastUserText;

    public SimError? ContextWindowError(int inputTokens, int? maxTokens, int window) =>
        inputTokens > window
            ? new SimError(SimErrorKind.InvalidRequest, $"prompt is too long: {inputTokens} tokens > {window} maximum")
            : maxTokens is { } output && inputTokens + output > window
                ? new SimError(SimErrorKind.InvalidRequest,
                    $"input length and `max_tokens` exceed context limit: {inputTokens} + {output} > {window}, decrease input length or `max_tokens` and try again")
                : null;

    public JsonNode ErrorBody(SimError error, int status, string requestId) => new JsonObject
    {
        ["type"] = "error",
        ["error"] = ErrorObject(error),
        ["request_id"] = requestId,
    };

    public SseEvent StreamError(SimError error, int status) =>
        new("error", WireHelpers.Json(new JsonObject { ["type"] = "error", ["error"] = ErrorObject(error) }));

    private static JsonObject ErrorObject(SimError error)
    {
        var (type, message) = error.Kind switch
        {
            SimErrorKind.InvalidRequest => ("invalid_request_error", "Invalid request."),
            SimErrorKind.Unauthorized => ("authentication_error", "invalid x-api-key"),
            SimErrorKind.MissingKey => ("authentication_error", "x-api-key header is required"),
            SimErrorKind.NotFound => ("not_found_error", "Not found."),
            SimErrorKind.RateLimited => ("rate_limit_error", "This request would exceed the rate limit for your organization of 50 requests per minute. Please retry after the time in the retry-after header."),
            SimErrorKind.SpendCap => ("rate_limit_error", "You have reached your specified API usage limits. You will regain access at the start of next month."),
            SimErrorKind.Overloaded => ("overloaded_error", "Overloaded"),
            _ => ("api_error", "Internal server error"),
        };

        var obj = new JsonObject { ["type"] = type, ["message"] = error.Message ?? message };
        if (error.Kind == SimErrorKind.SpendCap)
        {
            // Anthropic tells the monthly spend cap apart from a rate limit only through this code (and no retry-after).
            obj["details"] = new JsonObject { ["error_code"] = "enforced_spend_limit_reached" };
        }

        return obj;
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
            problem = "model: Field required";
            return null;
        }

        if (!WireHelpers.TryGetPositiveInt(body, "max_tokens", out var maxTokens))
        {
            problem = "max_tokens: Input should be a valid positive integer";
            return null;
        }

        if (!WireHelpers.IsNonEmptyArray(body, "messages"))
        {
            problem = "messages: Field required and must be a non-empty list";
            return null;
        }

        return new CompletionRequest(model, WireHelpers.GetBool(body, "stream") ?? false, maxTokens, false, WireHelpers.EstimateInputTokens(body))
        {
            Plan = ReplyScript.Decide(ConversationTails.Anthropic(body)),
        };
    }

    public JsonNode Completion(SimulatedReply reply) => new JsonObject
    {
        ["id"] = reply.Id,
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = reply.Model,
        ["content"] = new JsonArray(reply.ToolCall is { } call
            ? new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = JsonNode.Parse(call.ArgumentsJson) }
            : new JsonObject { ["type"] = "text", ["text"] = reply.Text }),
        ["stop_reason"] = StopReason(reply),
        ["stop_sequence"] = null,
        ["usage"] = Usage(reply.InputTokens, reply.OutputTokens),
    };

    public IReadOnlyList<SseEvent> StreamEvents(SimulatedReply reply, CompletionRequest request)
    {
        var events = new List<SseEvent>
        {
            Event("message_start", new JsonObject
            {
                ["type"] = "message_start",
                ["message"] = new JsonObject
                {
                    ["id"] = reply.Id,
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = reply.Model,
                    ["content"] = new JsonArray(),
                    ["stop_reason"] = null,
                    ["stop_sequence"] = null,
                    ["usage"] = Usage(reply.InputTokens, 1),
                },
            }),
            Event("content_block_start", new JsonObject
            {
                ["type"] = "content_block_start",
                ["index"] = 0,
                ["content_block"] = reply.ToolCall is { } call
                    ? new JsonObject { ["type"] = "tool_use", ["id"] = call.Id, ["name"] = call.Name, ["input"] = new JsonObject() }
                    : new JsonObject { ["type"] = "text", ["text"] = "" },
            }),
            Event("ping", new JsonObject { ["type"] = "ping" }),
        };

        // A tool call's input streams as partial JSON pieces that only parse once joined, as Anthropic sends it.
        var deltas = reply.ToolCall is { } tool
            ? tool.ArgumentPieces.Select(p => new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = p })
            : reply.Pieces.Select(p => new JsonObject { ["type"] = "text_delta", ["text"] = p });
        foreach (var delta in deltas)
        {
            events.Add(Event("content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta",
                ["index"] = 0,
                ["delta"] = delta,
            }, isContent: true));
        }

        events.Add(Event("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }));
        events.Add(Event("message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = StopReason(reply), ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = reply.OutputTokens },
        }));
        events.Add(Event("message_stop", new JsonObject { ["type"] = "message_stop" }));
        return events;
    }

    public JsonNode ModelList(IReadOnlyList<string> models)
    {
        var data = new JsonArray();
        foreach (var m in models)
        {
            data.Add(Model(m));
        }

        return new JsonObject
        {
            ["data"] = data,
            ["has_more"] = false,
            ["first_id"] = models.Count > 0 ? models[0] : null,
            ["last_id"] = models.Count > 0 ? models[^1] : null,
        };
    }

    public JsonNode Model(string model) => new JsonObject
    {
        ["type"] = "model",
        ["id"] = model,
        ["display_name"] = model,
        ["created_at"] = "2025-01-01T00:00:00Z",
    };

    private static string StopReason(SimulatedReply reply) =>
        reply.ToolCall is not null ? "tool_use" : reply.HitMaxTokens ? "max_tokens" : "end_turn";

    /// The answer of POST /v1/messages/count_tokens.
    public static JsonNode TokenCount(CompletionRequest request) => new JsonObject { ["input_tokens"] = request.InputTokens };

    private static JsonObject Usage(int input, int output) => new()
    {
        ["input_tokens"] = input,
        ["cache_creation_input_tokens"] = 0,
        ["cache_read_input_tokens"] = 0,
        ["output_tokens"] = output,
    };

    private static SseEvent Event(string name, JsonObject data, bool isContent = false) =>
        new(name, WireHelpers.Json(data), isContent);
}
