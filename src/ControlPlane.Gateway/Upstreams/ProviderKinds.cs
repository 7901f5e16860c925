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
    /// Where a provider of this kind serves the format, relative to its root; null when it does not. Anthropic and
    /// Gemini both serve an OpenAI-compatible chat endpoint, so every kind takes OpenAI traffic; only Anthropic
    /// speaks Messages natively (we do not translate between formats).
    /// </summary>
    public static string? PathFor(this ProviderKind kind, ApiFormat format) => (kind, format) switch
    {
        (ProviderKind.Gemini, ApiFormat.OpenAiChat) => "/v1beta/openai/chat/completions",
        (_, ApiFormat.OpenAiChat) => "/v1/chat/completions",
        (ProviderKind.Anthropic, ApiFormat.AnthropicMessages) => "/v1/messages",
        _ => null,
    };
}
