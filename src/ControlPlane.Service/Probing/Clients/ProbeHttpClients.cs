using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using ControlPlane.Core.Catalog;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Refit;

namespace ControlPlane.Service.Probing.Clients;

/// <summary>
/// Configures one named HttpClient per catalog provider, on demand: the catalog is resolved when a client is first
/// asked for, not when services are registered. Each gets its own SocketsHttpHandler (connect timeout, pooled
/// connection lifetime for DNS changes), the kind's auth handler and the provider's base URL.
/// </summary>
internal sealed class ProbeHttpClientConfigurator(ProviderCatalog catalog, ProviderKeyResolver keys)
    : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    public const string NamePrefix = "controlplane-probe:";

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    public static string ClientName(string providerId) => NamePrefix + providerId;

    public void Configure(HttpClientFactoryOptions options)
    {
    }

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null
            || !name.StartsWith(NamePrefix, StringComparison.Ordinal)
            || !catalog.Providers.TryGetValue(name[NamePrefix.Length..], out var provider))
        {
            return;
        }

        // The handler recycles its own connections (PooledConnectionLifetime), so the factory need not rotate it.
        options.HandlerLifetime = Timeout.InfiniteTimeSpan;
        options.HttpMessageHandlerBuilderActions.Add(builder =>
        {
            builder.PrimaryHandler = new SocketsHttpHandler
            {
                ConnectTimeout = ConnectTimeout,
                PooledConnectionLifetime = PooledConnectionLifetime,
                AutomaticDecompression = DecompressionMethods.All,
                AllowAutoRedirect = false,
            };
            builder.AdditionalHandlers.Add(ProviderAuthHandler.For(provider, keys));
        });
        options.HttpClientActions.Add(client =>
        {
            client.BaseAddress = provider.BaseUrl;

            // The probe's Polly timeout is the only deadline; HttpClient's own 100 s would pre-empt long ones.
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
    }
}

/// <summary>Refit clients per provider, created once over the provider's named HttpClient.</summary>
public sealed class ProviderApis(IHttpClientFactory httpClients)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly RefitSettings Settings = new()
    {
        ContentSerializer = new SystemTextJsonContentSerializer(Json),
    };

    private readonly ConcurrentDictionary<string, object> _clients = new(StringComparer.Ordinal);

    public IAnthropicApi Anthropic(ProviderDefinition provider) => Get<IAnthropicApi>(provider);

    public IOpenAIApi OpenAI(ProviderDefinition provider) => Get<IOpenAIApi>(provider);

    public IGeminiApi Gemini(ProviderDefinition provider) => Get<IGeminiApi>(provider);

    private T Get<T>(ProviderDefinition provider)
        where T : class =>
        (T)_clients.GetOrAdd(
            $"{typeof(T).Name}:{provider.Id}",
            static (_, state) => RestService.For<T>(state.Factory.CreateClient(ProbeHttpClientConfigurator.ClientName(state.Id)), Settings),
            (Factory: httpClients, provider.Id));
}
