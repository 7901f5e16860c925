using ControlPlane.Service.Breakers;
using Microsoft.Extensions.Options;
using ControlPlane.Core.Health;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Health;

public static class HealthViewsServiceCollectionExtensions
{
    /// <summary>In-memory views fed by every probe result: latest sample and sliding-window statistics per target.</summary>
    public static IHostApplicationBuilder AddHealthViews(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LatestSamples>();
        builder.Services.AddSingleton<IProbeSampleObserver>(sp => sp.GetRequiredService<LatestSamples>());
        builder.Services.AddSingleton(sp => new HealthWindows(
            WindowOptions.Default with { Length = sp.GetRequiredService<IOptions<BreakerOptions>>().Value.WindowLength }));
        builder.Services.AddSingleton<TargetHealthView>();
        builder.Services.AddSingleton<IProbeSampleObserver>(sp => sp.GetRequiredService<TargetHealthView>());
        builder.Services.AddHostedService<SampleFeed>();
        return builder;
    }
}
