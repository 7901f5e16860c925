using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Contracts.Providers;

/// <summary>
/// The fields that matter of a provider error body, whichever of the three wire shapes it came in:
/// Anthropic <c>{"type":"error","error":{"type","message"}}</c>, OpenAI <c>{"error":{"message","type","code"}}</c>,
/// Google <c>{"error":{"code":503,"message","status","details":[…]}}</c> (sometimes wrapped in an array).
/// </summary>
/// <param name="Type">Anthropic/OpenAI error type, e.g. <c>overloaded_error</c>, <c>insufficient_quota</c>.</param>
/// <param name="Code">OpenAI code, Anthropic <c>details.error_code</c>, or Google's numeric code as text.</param>
/// <param name="Status">Google canonical status, e.g. <c>RESOURCE_EXHAUSTED</c>.</param>
/// <param name="Message">Human text. Used for classification only: it may echo a (masked) key, so it never leaves this type's callers.</param>
/// <param name="RetryDelay">Google <c>google.rpc.RetryInfo.retryDelay</c>, when present.</param>
/// <param name="Reason">Google <c>google.rpc.ErrorInfo.reason</c>, e.g. <c>API_KEY_INVALID</c>, when present.</param>
/// <param name="AnthropicShaped">The body was Anthropic's envelope (<c>"type":"error"</c> at the top), whichever kind the caller thought it talked to.</param>
public sealed record ProviderError(
    string? Type, string? Code, string? Status, string? Message, TimeSpan? RetryDelay, string? Reason = null, bool AnthropicShaped = false)
{
    /// <summary>Parses an error body; null when it is not JSON or has no recognisable error object.</summary>
    public static ProviderError? TryParse(string? body) =>
        string.IsNullOrWhiteSpace(body) ? null : TryParse(Encoding.UTF8.GetBytes(body));

    /// <summary>Parses a UTF-8 error body as the gateway holds it; null when it is not JSON or has no recognisable error object.</summary>
    public static ProviderError? TryParse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }

            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error))
            {
                return null;
            }

            if (error.ValueKind == JsonValueKind.String)
            {
                // Some OpenAI-compatible servers (Ollama, llamafile) answer {"error":"model not found"}.
                return new ProviderError(null, null, null, error.GetString(), null);
            }

            if (error.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return new ProviderError(
                Text(error, "type"),
                Text(error, "code") ?? AnthropicErrorCode(error),
                Text(error, "status"),
                Text(error, "message"),
                RetryDelayOf(error),
                ReasonOf(error),
                string.Equals(Text(root, "type"), "error", StringComparison.Ordinal));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The most specific machine-readable name of the error, safe for a detail or a log line.</summary>
    public string? Name => Sanitize(Type) ?? Sanitize(Reason) ?? Sanitize(Status) ?? Sanitize(Code);

    /// <summary>Whether the human text contains the fragment (case-insensitive). For classification only.</summary>
    public bool MessageContains(string fragment) =>
        Message is not null && Message.Contains(fragment, StringComparison.OrdinalIgnoreCase);

    /// <summary>Keeps only a short identifier-like token: error type names are safe, free text is not.</summary>
    public static string? Sanitize(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 48)
        {
            return null;
        }

        foreach (var c in token)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-' or '.'))
            {
                return null;
            }
        }

        return token;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    // Anthropic tells a reached spend limit apart from a rate limit by error.details.error_code.
    private static string? AnthropicErrorCode(JsonElement error) =>
        error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object
            ? Text(details, "error_code")
            : null;

    private static TimeSpan? RetryDelayOf(JsonElement error) =>
        DetailField(error, "google.rpc.RetryInfo", "retryDelay") is { } delay ? ParseDuration(delay) : null;

    private static string? ReasonOf(JsonElement error) => DetailField(error, "google.rpc.ErrorInfo", "reason");

    /// <summary>A string field of the first Google error detail of the given protobuf type.</summary>
    private static string? DetailField(JsonElement error, string detailType, string field)
    {
        if (!error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var detail in details.EnumerateArray())
        {
            if (detail.ValueKind == JsonValueKind.Object
                && detail.TryGetProperty("@type", out var type)
                && type.ValueKind == JsonValueKind.String
                && type.GetString()!.EndsWith(detailType, StringComparison.Ordinal)
                && detail.TryGetProperty(field, out var value)
                && value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }
        }

        return null;
    }

    /// <summary>protobuf Duration JSON: "37s", "1.5s".</summary>
    private static TimeSpan? ParseDuration(string text) =>
        text.EndsWith('s')
        && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
        && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
