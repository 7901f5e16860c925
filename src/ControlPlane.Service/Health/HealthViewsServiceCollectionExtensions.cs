using ControlPlane.Service.Breakers;
using Microsoft.Extensions.Options;
using ControlPlane.Core.Health;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Health;

public static class HealthViewsServiceCollectionExtensions
{
    /// <summary>In-memory views fed by every probe result and gateway traffic report: latest sample and sliding-window statistics per target.</summary>
    public static IHostApplicationBuilder AddHealthViews(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LatestSamples>();
        builder.Services.AddSingleton<IProbeSampleObserver>(sp => sp.GetRequiredService<LatestSamples>());
        builder.Services.AddSingleton(sp =>
        {
            var breakers = sp.GetRequiredService<IOptions<BreakerOptions>>().Value;
            return new HealthWindows(WindowOptions.Default with { Length = breakers.WindowLength, PassiveWeight = breakers.PassiveWeight });
        });
        builder.Services.AddSingleton<PassiveCoverage>();
        builder.Services.AddSingleton<TrafficReportIngest>();
        builder.Services.AddSingleton<TargetHealthView>();
        builder.Services.AddSingleton<IProbeSampleObserver>(sp => sp.GetRequiredService<TargetHealthView>());
        builder.Services.AddHostedService<SampleFeed>();
        return builder;
    }
}
