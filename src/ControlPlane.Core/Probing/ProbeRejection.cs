using System.Text;
using System.Text.RegularExpressions;
using ControlPlane.Contracts.Providers;

namespace ControlPlane.Core.Probing;

/// <summary>
/// What a provider said when it refused a probe as a bad request (400/404/422). That is a probe misconfiguration
/// (a parameter the model does not take, a model the key cannot see), and the operator fixing it needs the provider's
/// own words: "Unsupported parameter: 'max_tokens' …", not just "http 400". The text is about our own probe request,
/// never a user's, but a provider may still echo a key, so anything key-like is masked and the text is bounded.
/// </summary>
public static partial class ProbeRejection
{
    /// <summary>Long enough for OpenAI's and Gemini's one-line explanations; a detail is a line, not a body.</summary>
    public const int MaxLength = 300;

    private const string Masked = "[redacted]";

    /// <summary>The provider's message, masked, on one line and at most <see cref="MaxLength"/> characters; null when it sent none.</summary>
    public static string? Describe(ProviderError? error)
    {
        if (string.IsNullOrWhiteSpace(error?.Message))
        {
            return null;
        }

        var text = Whitespace().Replace(error.Message.Trim(), " ");
        text = Bearer().Replace(text, "Bearer " + Masked);
        text = KeyLike().Replace(text, Masked);
        if (text.Length <= MaxLength)
        {
            return text;
        }

        // Never cut a surrogate pair in half: the detail is stored and sent as UTF-8.
        var length = char.IsHighSurrogate(text[MaxLength - 2]) ? MaxLength - 2 : MaxLength - 1;
        return new StringBuilder(text, 0, length, MaxLength).Append('…').ToString();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"Bearer\s+\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();

    // Provider key shapes (sk-…, sk-ant-…, AIza…, also masked as sk-abc***xyz) and any long unbroken token.
    [GeneratedRegex(@"\b(?:sk-[A-Za-z0-9_\-\*\.]{4,}|AIza[0-9A-Za-z_\-]{8,}|[A-Za-z0-9_\-]{32,})")]
    private static partial Regex KeyLike();
}
