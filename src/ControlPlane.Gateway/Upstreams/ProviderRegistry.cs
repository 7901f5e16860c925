using System.Net.Http.Headers;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Upstreams;

/// <summary>A provider endpoint ready to send to: its key was read once at start and lives only here.</summary>
public sealed class UpstreamProvider
{
    private readonly string? _apiKey;
    private readonly string _root;

    public UpstreamProvider(string id, ProviderKind kind, Uri baseUrl, string? apiKey)
    {
        Id = id;
        Kind = kind;
        BaseUrl = baseUrl;
        _apiKey = apiKey;
        _root = baseUrl.ToString().TrimEnd('/');
    }

    public string Id { get; }

    public ProviderKind Kind { get; }

    public Uri BaseUrl { get; }

    /// <summary>The API the gateway speaks to this provider.</summary>
    public ApiFormat NativeFormat => Kind.NativeFormat();

    /// <summary>An endpoint of this provider: <paramref name="pathAndQuery"/> under its root.</summary>
    public Uri UrlFor(string pathAndQuery) => new(_root + pathAndQuery);

    /// <summary>
    /// The provider's own auth header for its native API; whatever credentials the client sent are never forwarded.
    /// </summary>
    public void Authenticate(HttpRequestMessage request)
    {
        if (_apiKey is null)
        {
            return;
        }

        switch (Kind)
        {
            case ProviderKind.Anthropic:
                request.Headers.TryAddWithoutValidation("x-api-key", _apiKey);
                break;
            case ProviderKind.Gemini:
                request.Headers.TryAddWithoutValidation("x-goog-api-key", _apiKey);
                break;
            default:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
                break;
        }
    }

    public override string ToString() => $"{Id} ({Kind}, {BaseUrl})"; // never the key
}

/// <summary>Provider id → endpoint, built once from <see cref="GatewayOptions.Providers"/> (validated on start).</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, UpstreamProvider> _providers;

    public ProviderRegistry(IOptions<GatewayOptions> options)
    {
        _providers = options.Value.Providers.ToDictionary(
            p => p.Id,
            p => new UpstreamProvider(p.Id, ProviderKinds.TryParse(p.Kind)!.Value, new Uri(p.BaseUrl), ReadKey(p)),
            StringComparer.Ordinal);
    }

    public IReadOnlyCollection<UpstreamProvider> All => _providers.Values;

    public UpstreamProvider? Find(string id) => _providers.GetValueOrDefault(id);

    private static string? ReadKey(ProviderEndpointOptions provider)
    {
        if (provider.ApiKeyEnv is { Length: > 0 } variable)
        {
            return Environment.GetEnvironmentVariable(variable)?.Trim();
        }

        return provider.ApiKeyFile is { Length: > 0 } file ? File.ReadAllText(file).Trim() : null;
    }
}
