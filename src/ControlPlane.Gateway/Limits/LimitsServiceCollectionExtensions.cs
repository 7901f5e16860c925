using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Limits;

public static class LimitsServiceCollectionExtensions
{
    /// <summary>Adaptive per-target concurrency limits (the "Gateway:Limits" section).</summary>
    public static IHostApplicationBuilder AddConcurrencyLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<ConcurrencyLimiter>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, ConcurrencyLimitOptionsValidator>());
        return builder;
    }
}
