using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Caching;

public static class CachingServiceCollectionExtensions
{
    /// <summary>The known-good response cache: per-route settings from the table, one store bounded by this gateway's options.</summary>
    public static IHostApplicationBuilder AddResponseCache(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RouteCachePolicies>();
        builder.Services.AddSingleton(services => new ResponseCacheStore(
            services.GetRequiredService<IOptions<GatewayOptions>>().Value.ResponseCache.MaxBytes,
            services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<AnswerCache>();
        return builder;
    }
}
