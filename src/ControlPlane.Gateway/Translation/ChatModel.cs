using System.Text.Json;

namespace ControlPlane.Gateway.Translation;

/// <summary>
/// The gateway's one request model: what every ingress codec decodes into and every egress codec encodes from.
/// It holds the features that have a faithful meaning in more than one API; what only one API can express is
/// recorded in <see cref="ChatRequest.NativeOnly"/> (refused by every other API) or <see cref="ChatRequest.Dropped"/>
/// (safe to leave out, announced to the client in a warning header).
/// </summary>
internal sealed record ChatRequest
{
    /// <summary>The model (route or alias) the client asked for.</summary>
    public required string Model { get; init; }

    public bool Stream { get; init; }

    /// <summary>OpenAI <c>stream_options.include_usage</c>: the client wants a final usage chunk.</summary>
    public bool StreamUsage { get; init; }

    /// <summary>System instructions in order (Anthropic system blocks, OpenAI system/developer messages, Responses <c>instructions</c>).</summary>
    public IReadOnlyList<string> System { get; init; } = [];

    /// <summary>The conversation: user and assistant turns. Tool results live in user turns, as Anthropic has them.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];

    public ToolChoice? ToolChoice { get; init; }

    /// <summary>False when the client forbade parallel tool calls; null = the API's default.</summary>
    public bool? ParallelToolCalls { get; init; }

    /// <summary>Output token limit; null when the client set none (Anthropic egress then needs a default).</summary>
    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public IReadOnlyList<string> StopSequences { get; init; } = [];

    public ResponseFormat? ResponseFormat { get; init; }

    public Reasoning? Reasoning { get; init; }

    /// <summary>An end-user id for the provider's abuse tracking (OpenAI <c>user</c>, Anthropic <c>metadata.user_id</c>).</summary>
    public string? User { get; init; }

    /// <summary>
    /// Features present in the request that only the client's own API can serve (e.g. Anthropic server tools,
    /// OpenAI <c>n</c> &gt; 1, logprobs). A target of another API refuses the request, naming the first.
    /// </summary>
    public IReadOnlyList<string> NativeOnly { get; init; } = [];

    /// <summary>
    /// Features present in the request that another API may leave out without changing the answer's meaning
    /// (prompt-cache hints, metadata, service tier…). Named in the <c>x-gateway-dropped</c> response header.
    /// </summary>
    public IReadOnlyList<string> Dropped { get; init; } = [];
}

internal enum ChatRole
{
    User,
    Assistant,
}

internal sealed record ChatMessage(ChatRole Role, IReadOnlyList<ContentPart> Content);

/// <summary>One piece of a message's content.</summary>
internal abstract record ContentPart;

internal sealed record TextPart(string Text) : ContentPart;

/// <summary>An image: inline base64 data with its media type, or a URL.</summary>
internal sealed record ImagePart(string? MediaType, string? Data, string? Url) : ContentPart;

/// <summary>A tool call made by the assistant. <paramref name="Arguments"/> is a JSON object, as text.</summary>
internal sealed record ToolCallPart(string Id, string Name, string Arguments) : ContentPart;

/// <summary>The result of a tool call, sent back by the client. Content holds text and images.</summary>
internal sealed record ToolResultPart(string ToolCallId, IReadOnlyList<ContentPart> Content, bool IsError) : ContentPart;

/// <summary>
/// The model's visible reasoning. Only Anthropic can take it back in a later turn (it checks the signature);
/// other APIs drop it from history.
/// </summary>
internal sealed record ThinkingPart(string Text, string? Signature) : ContentPart;

/// <summary>A function the model may call; <paramref name="Parameters"/> is its JSON Schema (an object schema), or null.</summary>
internal sealed record ToolDefinition(string Name, string? Description, JsonElement? Parameters);

internal enum ToolChoiceKind
{
    /// <summary>The model decides.</summary>
    Auto,

    /// <summary>No tool may be called.</summary>
    None,

    /// <summary>Some tool must be called (OpenAI <c>required</c>, Anthropic <c>any</c>, Gemini <c>ANY</c>).</summary>
    Required,

    /// <summary>This one tool must be called.</summary>
    Tool,
}

internal sealed record ToolChoice(ToolChoiceKind Kind, string? Name = null);

internal enum ResponseFormatKind
{
    Text,

    /// <summary>Any JSON object (OpenAI <c>json_object</c>, Gemini <c>application/json</c>).</summary>
    JsonObject,

    /// <summary>JSON matching <see cref="ResponseFormat.Schema"/>.</summary>
    JsonSchema,
}

internal sealed record ResponseFormat(ResponseFormatKind Kind, string? Name = null, JsonElement? Schema = null, bool Strict = false);

/// <summary>
/// How hard the model should think. Anthropic states a token budget, OpenAI an effort level; each codec converts
/// from whichever it was given (see <see cref="ReasoningBudgets"/>).
/// </summary>
internal sealed record Reasoning(string? Effort, int? BudgetTokens);
