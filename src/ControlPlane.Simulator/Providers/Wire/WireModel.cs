using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Providers.Scripting;

namespace ControlPlane.Simulator.Providers.Wire;

internal enum SimErrorKind
{
    InvalidRequest,
    Unauthorized,

    /// No key at all; OpenAI reports it without the invalid_api_key code.
    MissingKey,
    NotFound,
    RateLimited,
    SpendCap,
    Overloaded,
    ServerError,
}

/// An error to answer with; the wire format turns it into its own body, the provider kind picks the status.
/// Param, Code and Details carry a validation problem's specifics where the API has them (OpenAI, Gemini).
internal sealed record SimError(SimErrorKind Kind, string? Message = null, string? Param = null, string? Code = null, JsonArray? Details = null);

/// The parts of a completion request the simulator cares about, whatever the wire format.
internal sealed record CompletionRequest(string Model, bool Stream, int? MaxTokens, bool IncludeUsage, int InputTokens)
{
    /// Gemini's streamGenerateContent without alt=sse streams one JSON array instead of SSE.
    public bool JsonArrayStream { get; init; }

    /// What to answer: pong, a scripted tool call, or the echo of a tool result (see ReplyScript).
    public ReplyPlan Plan { get; init; } = ReplyPlan.Pong;

    /// Hidden reasoning the model spends before answering (ReasoningModels); null for a model that does not reason.
    public int? ReasoningTokens { get; init; }

    /// The reasoning comes out of MaxTokens (OpenAI's max_completion_tokens), so too small a limit leaves an empty answer.
    public bool ReasoningSharesLimit { get; init; }
}

/// A scripted tool call in the reply; the arguments stream in two pieces so clients must join them.
internal sealed record SimulatedToolCall(string Id, string Name, string ArgumentsJson)
{
    public IReadOnlyList<string> ArgumentPieces => ReplyScript.Halves(ArgumentsJson);
}

/// The answer: either text pieces (one piece is one output token) or a tool call.
internal sealed record SimulatedReply(string Id, string Model, IReadOnlyList<string> Pieces, bool HitMaxTokens, int InputTokens, DateTimeOffset Created)
{
    public SimulatedToolCall? ToolCall { get; init; }

    /// Hidden reasoning tokens billed as output on top of the answer; null for a model that does not reason.
    public int? ReasoningTokens { get; init; }

    public string Text => string.Concat(Pieces);

    public int OutputTokens => ToolCall is { } call ? Math.Max(2, (call.Name.Length + call.ArgumentsJson.Length) / 4) : Pieces.Count;

    public static SimulatedReply For(CompletionRequest request, string id, string toolCallId, DateTimeOffset created)
    {
        if (request.Plan is ReplyPlan.ToolCall call)
        {
            return new SimulatedReply(id, request.Model, [], false, request.InputTokens, created)
            {
                ToolCall = new SimulatedToolCall(toolCallId, call.Name, call.ArgumentsJson),
            };
        }

        // Two pieces so streams carry more than one delta, which is what real clients must handle. Honour max_tokens
        // loosely: one piece is one token, and at least one token always comes back.
        var pieces = ReplyScript.Halves(((ReplyPlan.Text)request.Plan).Value);
        var limit = request.MaxTokens;
        if (request is { ReasoningTokens: { } reasoning, ReasoningSharesLimit: true } && limit is { } ceiling)
        {
            if (reasoning >= ceiling)
            {
                // The trap of a one-token health check on a reasoning model: the limit is spent thinking, the answer
                // is empty and finish_reason says length.
                return new SimulatedReply(id, request.Model, [], true, request.InputTokens, created) { ReasoningTokens = ceiling };
            }

            limit = ceiling - reasoning;
        }

        var count = limit is { } max ? Math.Clamp(max, 1, pieces.Count) : pieces.Count;
        return new SimulatedReply(id, request.Model, pieces.Take(count).ToList(), count < pieces.Count, request.InputTokens, created)
        {
            ReasoningTokens = request.ReasoningTokens,
        };
    }
}

/// One server-sent event. IsContent marks the events carrying generated text (where stream-error cuts in).
internal sealed record SseEvent(string? Name, string Data, bool IsContent = false);

internal interface IWireFormat
{
    string IdPrefix { get; }

    /// Prefix of scripted tool call ids (toolu_sim_…, call_sim_…).
    string ToolCallIdPrefix { get; }

    /// Line terminator of SSE frames; Gemini uses CRLF, the others LF.
    string NewLine { get; }

    JsonNode ErrorBody(SimError error, int status, string requestId);

    /// Null with a problem message when the request is invalid for this format.
    CompletionRequest? ParseCompletion(JsonElement body, string? routeModel, bool? streamOverride, out string? problem);

    string UnknownModelMessage(string model);

    /// <summary>The API's 400 message for an output token limit above what the model can produce.</summary>
    string MaxTokensTooLargeMessage(string model, int requested, int limit);

    /// <summary>
    /// The API's own 400 for a request that does not fit the model's context window, or null when it fits. Each API
    /// counts differently: Anthropic and OpenAI the prompt plus the output budget, Gemini the input alone.
    /// </summary>
    SimError? ContextWindowError(int inputTokens, int? maxTokens, int window);

    /// <summary>The API's own error for a request its content policy refuses; null when the API answers such a request otherwise.</summary>
    SimError? ContentPolicyError { get; }

    /// <summary>The text of the request's last user turn (what a content policy judges).</summary>
    string LastUserText(JsonElement body);

    string MissingKeyMessage { get; }

    string WrongKeyMessage { get; }

    JsonNode Completion(SimulatedReply reply);

    IReadOnlyList<SseEvent> StreamEvents(SimulatedReply reply, CompletionRequest request);

    SseEvent StreamError(SimError error, int status);

    JsonNode ModelList(IReadOnlyList<string> models);

    JsonNode Model(string model);
}

internal static class WireHelpers
{
    /// Rough token count of a request: every string in it, four characters a token, plus framing overhead.
    public static int EstimateInputTokens(JsonElement body)
    {
        var chars = 0;
        Walk(body, ref chars);
        return Math.Max(1, (chars / 4) + 3);

        static void Walk(JsonElement e, ref int chars)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.String:
                    chars += e.GetString()?.Length ?? 0;
                    break;
                case JsonValueKind.Array:
                    foreach (var item in e.EnumerateArray())
                    {
                        Walk(item, ref chars);
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject())
                    {
                        Walk(p.Value, ref chars);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    public static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static bool? GetBool(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    /// Null when absent; false (with the value untouched) when present but not a positive integer.
    public static bool TryGetPositiveInt(JsonElement obj, string name, out int? value)
    {
        value = null;
        if (!obj.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i > 0)
        {
            value = i;
            return true;
        }

        return false;
    }

    public static bool IsNonEmptyArray(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array && v.GetArrayLength() > 0;

    public static string Json(JsonNode node) => node.ToJsonString();
}

/// <summary>
/// Output token ceilings of the models the simulator knows, as the real APIs enforce them: a request above the
/// ceiling is a 400, so a gateway passing Claude Code's 128,000 on to GPT fails here as it would there.
/// Models not listed have no ceiling.
/// </summary>
internal static class ModelLimits
{
    private static readonly (string Prefix, int MaxOutputTokens)[] Ceilings =
    [
        ("gpt-4.1", 32_768),
        ("gpt-4o", 16_384),
        ("gemini-2.5", 65_536),
        ("gemini-2.0", 8_192),
        ("claude-sonnet-4", 64_000),
        ("claude-haiku-4", 64_000),
        ("claude-opus-4", 32_000),
    ];

    private static readonly (string Prefix, int ContextWindow)[] Windows =
    [
        ("gpt-4.1", 1_047_576),
        ("gpt-4o", 128_000),
        ("gemini-2.5", 1_048_576),
        ("gemini-2.0", 1_048_576),
        ("claude-", 200_000),
    ];

    /// The model's context window in tokens: the configured one, else the real model's; null when unknown (no check).
    public static int? ContextWindow(string model, IReadOnlyDictionary<string, int> configured)
    {
        if (configured.TryGetValue(model, out var window))
        {
            return window;
        }

        foreach (var (prefix, size) in Windows)
        {
            if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return size;
            }
        }

        return null;
    }

    public static int? MaxOutputTokens(string model)
    {
        foreach (var (prefix, ceiling) in Ceilings)
        {
            if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return ceiling;
            }
        }

        return null;
    }
}
