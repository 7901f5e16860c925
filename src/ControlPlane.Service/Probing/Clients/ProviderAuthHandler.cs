using System.Net.Http.Headers;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Service.Probing.Clients;

/// <summary>
/// Adds a provider's configured headers and its credentials, in the provider kind's own scheme, to every request.
/// The key is resolved per request so rotation needs no restart.
/// </summary>
public abstract class ProviderAuthHandler : DelegatingHandler
{
    private readonly ProviderKeyResolver _keys;

    protected ProviderAuthHandler(ProviderDefinition provider, ProviderKeyResolver keys)
    {
        Provider = provider;
        _keys = keys;
    }

    protected ProviderDefinition Provider { get; }

    public static ProviderAuthHandler For(ProviderDefinition provider, ProviderKeyResolver keys) => provider.Kind switch
    {
        ProviderKind.Anthropic => new AnthropicAuthHandler(provider, keys),
        ProviderKind.Gemini => new GeminiAuthHandler(provider, keys),
        ProviderKind.OpenAI or ProviderKind.OpenAICompatible => new OpenAIAuthHandler(provider, keys),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider.Kind, "unknown provider kind"),
    };

    protected sealed override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in Provider.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var key = _keys.Resolve(Provider);
        if (key is not null)
        {
            ApplyKey(request, key);
        }

        ApplyDefaults(request);
        return base.SendAsync(request, cancellationToken);
    }

    protected abstract void ApplyKey(HttpRequestMessage request, string key);

    /// <summary>Headers the kind requires unless the provider configured its own value.</summary>
    protected virtual void ApplyDefaults(HttpRequestMessage request)
    {
    }

    protected static void Set(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }
}

public sealed class AnthropicAuthHandler(ProviderDefinition provider, ProviderKeyResolver keys) : ProviderAuthHandler(provider, keys)
{
    public const string ApiVersion = "2023-06-01";

    protected override void ApplyKey(HttpRequestMessage request, string key) => Set(request, "x-api-key", key);

    protected override void ApplyDefaults(HttpRequestMessage request)
    {
        if (!request.Headers.Contains("anthropic-version"))
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
        }
    }
}

/// <summary>OpenAI and openai-compatible: bearer, and only when a key is configured (local servers run without).</summary>
public sealed class OpenAIAuthHandler(ProviderDefinition provider, ProviderKeyResolver keys) : ProviderAuthHandler(provider, keys)
{
    protected override void ApplyKey(HttpRequestMessage request, string key) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
}

public sealed class GeminiAuthHandler(ProviderDefinition provider, ProviderKeyResolver keys) : ProviderAuthHandler(provider, keys)
{
    protected override void ApplyKey(HttpRequestMessage request, string key) => Set(request, "x-goog-api-key", key);
}
