using ControlPlane.Service.Probing.Clients;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Probing;

public static class ProbingServiceCollectionExtensions
{
    /// <summary>
    /// Registers the provider probe clients: one named HttpClient and Refit clients per catalog provider (configured
    /// lazily from the <c>ProviderCatalog</c> singleton, which must be registered), the key resolver, the per-provider
    /// timeout pipelines and <see cref="IProbeExecutor"/>.
    /// </summary>
    public static IServiceCollection AddProbeClients(this IServiceCollection services)
    {
        services.AddHttpClient();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProviderKeyResolver>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HttpClientFactoryOptions>, ProbeHttpClientConfigurator>());
        services.TryAddSingleton<ProviderApis>();
        services.TryAddSingleton<ProbePipelines>();
        services.TryAddSingleton<IProbeExecutor, ProbeExecutor>();
        return services;
    }
}
