// The kinds are declared once, in Contracts; the alias spares every gateway file an import of that namespace
// (whose ProviderKinds would clash with the gateway's path table below).
global using ProviderKind = ControlPlane.Contracts.Providers.ProviderKind;

namespace ControlPlane.Gateway.Upstreams;

/// <summary>The client-facing API a request came in on; it decides paths, auth and error shapes.</summary>
public enum ApiFormat
{
    /// <summary>OpenAI Chat Completions (<c>POST /v1/chat/completions</c>).</summary>
    OpenAiChat,

    /// <summary>Anthropic Messages (<c>POST /v1/messages</c>).</summary>
    AnthropicMessages,

    /// <summary>OpenAI Responses (<c>POST /v1/responses</c>), stateless use; ingress only.</summary>
    OpenAiResponses,

    /// <summary>Gemini <c>generateContent</c> / <c>streamGenerateContent</c>; egress only.</summary>
    GeminiGenerateContent,
}

public static class ProviderKinds
{
    public static ProviderKind? TryParse(string? kind) =>
        global::ControlPlane.Contracts.Providers.ProviderKinds.TryParse(kind, out var parsed) ? parsed : null;

    /// <summary>
    /// The API a provider of this kind speaks natively, which the gateway always uses to reach it: requests in
    /// another API are translated (Anthropic's and Gemini's OpenAI-compatibility endpoints are test aids that lose
    /// features, so they are not used).
    /// </summary>
    public static ApiFormat NativeFormat(this ProviderKind kind) => kind switch
    {
        ProviderKind.Anthropic => ApiFormat.AnthropicMessages,
        ProviderKind.Gemini => ApiFormat.GeminiGenerateContent,
        _ => ApiFormat.OpenAiChat,
    };

    /// <summary>The endpoint path of an API that can be passed through without translation.</summary>
    public static string PassthroughPath(this ApiFormat format) => format switch
    {
        ApiFormat.AnthropicMessages => "/v1/messages",
        ApiFormat.OpenAiChat => "/v1/chat/completions",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Only Messages and Chat Completions pass through."),
    };
}
