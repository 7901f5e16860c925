using System.Text.Json.Serialization;
using Refit;

namespace ControlPlane.Service.Probing.Clients;

/// <summary>
/// OpenAI Chat Completions, also spoken by openai-compatible servers (Ollama, vLLM, LM Studio, llamafile).
/// Raw responses for the same reasons as <see cref="IAnthropicApi"/>; bearer auth from <see cref="OpenAIAuthHandler"/>.
/// </summary>
public interface IOpenAIApi
{
    [Post("/v1/chat/completions")]
    Task<HttpResponseMessage> CreateChatCompletionAsync(
        [Body] OpenAIChatRequest request,
        [HeaderCollection] IDictionary<string, string> headers,
        CancellationToken cancellationToken);

    [Get("/v1/models")]
    Task<HttpResponseMessage> ListModelsAsync(
        [HeaderCollection] IDictionary<string, string> headers,
        CancellationToken cancellationToken);
}

public sealed record OpenAIChatRequest
{
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("messages")]
    public required IReadOnlyList<OpenAIMessage> Messages { get; init; }

    /// <summary>What openai-compatible servers understand.</summary>
    [JsonPropertyName("max_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxTokens { get; init; }

    /// <summary>What OpenAI itself wants (current models reject max_tokens).</summary>
    [JsonPropertyName("max_completion_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxCompletionTokens { get; init; }

    [JsonPropertyName("stream")]
    public bool Stream { get; init; }

    /// <summary>Reasoning models only: a non-reasoning model rejects the field.</summary>
    [JsonPropertyName("reasoning_effort")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReasoningEffort { get; init; }

    /// <summary>Streamed answers carry usage only when asked (a last chunk with empty choices).</summary>
    [JsonPropertyName("stream_options")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public OpenAIStreamOptions? StreamOptions { get; init; }
}

public sealed record OpenAIStreamOptions([property: JsonPropertyName("include_usage")] bool IncludeUsage)
{
    public static OpenAIStreamOptions WithUsage { get; } = new(IncludeUsage: true);
}

public sealed record OpenAIMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);

/// <summary>A chat completion or one streamed chunk of it (same shape, <c>message</c> vs <c>delta</c>).</summary>
public sealed record OpenAIChatResponse
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    [JsonPropertyName("choices")]
    public IReadOnlyList<OpenAIChoice>? Choices { get; init; }
}

public sealed record OpenAIChoice
{
    [JsonPropertyName("index")]
    public int Index { get; init; }

    [JsonPropertyName("message")]
    public OpenAIChoiceMessage? Message { get; init; }

    [JsonPropertyName("delta")]
    public OpenAIChoiceMessage? Delta { get; init; }

    [JsonPropertyName("finish_reason")]
    public string? FinishReason { get; init; }
}

public sealed record OpenAIChoiceMessage(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("content")] string? Content);

public sealed record OpenAIModelList
{
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    [JsonPropertyName("data")]
    public IReadOnlyList<OpenAIModel>? Data { get; init; }
}

public sealed record OpenAIModel(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("owned_by")] string? OwnedBy);
