using System.Text.Json.Serialization;
using Refit;

namespace ControlPlane.Service.Probing.Clients;

/// <summary>
/// Gemini API (generativelanguage v1beta). Raw responses for the same reasons as <see cref="IAnthropicApi"/>;
/// x-goog-api-key from <see cref="GeminiAuthHandler"/> (never the <c>?key=</c> query, which ends up in access logs).
/// </summary>
public interface IGeminiApi
{
    [Post("/v1beta/models/{model}:generateContent")]
    Task<HttpResponseMessage> GenerateContentAsync(
        string model,
        [Body] GeminiGenerateRequest request,
        [HeaderCollection] IDictionary<string, string> headers,
        CancellationToken cancellationToken);

    [Post("/v1beta/models/{model}:streamGenerateContent?alt=sse")]
    Task<HttpResponseMessage> StreamGenerateContentAsync(
        string model,
        [Body] GeminiGenerateRequest request,
        [HeaderCollection] IDictionary<string, string> headers,
        CancellationToken cancellationToken);

    [Get("/v1beta/models")]
    Task<HttpResponseMessage> ListModelsAsync(
        [HeaderCollection] IDictionary<string, string> headers,
        CancellationToken cancellationToken);
}

public sealed record GeminiGenerateRequest
{
    [JsonPropertyName("contents")]
    public required IReadOnlyList<GeminiContent> Contents { get; init; }

    [JsonPropertyName("generationConfig")]
    public GeminiGenerationConfig? GenerationConfig { get; init; }
}

public sealed record GeminiContent(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("parts")] IReadOnlyList<GeminiPart>? Parts);

public sealed record GeminiPart([property: JsonPropertyName("text")] string? Text);

public sealed record GeminiGenerationConfig([property: JsonPropertyName("maxOutputTokens")] int MaxOutputTokens)
{
    /// <summary>Thinking models only: a model that does not think rejects the field.</summary>
    [JsonPropertyName("thinkingConfig")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GeminiThinkingConfig? ThinkingConfig { get; init; }
}

/// <summary>Gemini 2.5 takes a token budget (0: off, where the model allows it), Gemini 3 a level.</summary>
public sealed record GeminiThinkingConfig
{
    [JsonPropertyName("thinkingBudget")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ThinkingBudget { get; init; }

    [JsonPropertyName("thinkingLevel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ThinkingLevel { get; init; }
}

/// <summary>A generateContent response or one streamed chunk of it.</summary>
public sealed record GeminiGenerateResponse
{
    [JsonPropertyName("candidates")]
    public IReadOnlyList<GeminiCandidate>? Candidates { get; init; }

    [JsonPropertyName("modelVersion")]
    public string? ModelVersion { get; init; }
}

public sealed record GeminiCandidate
{
    [JsonPropertyName("content")]
    public GeminiContent? Content { get; init; }

    [JsonPropertyName("finishReason")]
    public string? FinishReason { get; init; }
}

public sealed record GeminiModelList
{
    [JsonPropertyName("models")]
    public IReadOnlyList<GeminiModel>? Models { get; init; }

    [JsonPropertyName("nextPageToken")]
    public string? NextPageToken { get; init; }
}

public sealed record GeminiModel(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("displayName")] string? DisplayName);
