using System.Text.Json.Serialization;
using Refit;

namespace ControlPlane.Service.Probing.Clients;

/// <summary>
/// Anthropic Messages API. Calls return the raw response so the probe sees status, headers and body exactly as sent
/// (error bodies, retry-after, a stream read incrementally); Refit sends with ResponseHeadersRead.
/// Auth (x-api-key, anthropic-version) is added by <see cref="AnthropicAuthHandler"/>.
/// </summary>
public interface IAnthropicApi
{
    [Post("/v1/messages")]
    Task<HttpResponseMessage> CreateMessageAsync(
        [Body] AnthropicMessageRequest request,
        [HeaderCollection] IDictionary<string, string> headers,
        CancellationToken cancellationToken);

    [Get("/v1/models")]
    Task<HttpResponseMessage> ListModelsAsync(
        [HeaderCollection] IDictionary<string, string> headers,
        CancellationToken cancellationToken);
}

public sealed record AnthropicMessageRequest
{
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("max_tokens")]
    public required int MaxTokens { get; init; }

    [JsonPropertyName("messages")]
    public required IReadOnlyList<AnthropicMessage> Messages { get; init; }

    [JsonPropertyName("stream")]
    public bool Stream { get; init; }
}

public sealed record AnthropicMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);

public sealed record AnthropicMessageResponse
{
    [JsonPropertyName("id")]
    public string? Id { get; init; }

    /// <summary>Always "message" on success.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("content")]
    public IReadOnlyList<AnthropicContentBlock>? Content { get; init; }

    [JsonPropertyName("stop_reason")]
    public string? StopReason { get; init; }
}

public sealed record AnthropicContentBlock(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("text")] string? Text);

/// <summary>One SSE event's data: message_start, content_block_delta, message_stop, error, ….</summary>
public sealed record AnthropicStreamEvent
{
    [JsonPropertyName("type")]
    public string? Type { get; init; }

    [JsonPropertyName("delta")]
    public AnthropicDelta? Delta { get; init; }
}

public sealed record AnthropicDelta(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("text")] string? Text);

public sealed record AnthropicModelList
{
    [JsonPropertyName("data")]
    public IReadOnlyList<AnthropicModel>? Data { get; init; }

    [JsonPropertyName("has_more")]
    public bool HasMore { get; init; }
}

public sealed record AnthropicModel(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("type")] string? Type);
