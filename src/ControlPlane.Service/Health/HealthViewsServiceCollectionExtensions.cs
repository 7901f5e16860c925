using Microsoft.Extensions.Options;
using ControlPlane.Core.Health;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Health;

public static class HealthViewsServiceCollectionExtensions
{
    /// <summary>In-memory views fed by every probe result and gateway traffic report: latest sample and sliding-window statistics per target.</summary>
    public static IHostApplicationBuilder AddHealthViews(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EvidenceSignal>();
        builder.Services.AddSingleton<LatestSamples>();
        builder.Services.AddSingleton<IProbeSampleObserver>(sp => sp.GetRequiredService<LatestSamples>());
        builder.Services.AddSingleton(sp =>
        {
            var health = sp.GetRequiredService<IOptions<HealthOptions>>().Value;
            return new HealthWindows(WindowOptions.Default with { Length = health.WindowLength, PassiveWeight = health.PassiveWeight });
        });
        builder.Services.AddSingleton<PassiveCoverage>();
        builder.Services.AddSingleton<ReportingGateways>();
        builder.Services.AddSingleton<TrafficReportIngest>();
        builder.Services.AddSingleton<HealthRecorder>();
        builder.Services.AddSingleton<IProbeSampleObserver>(sp => sp.GetRequiredService<HealthRecorder>());
        builder.Services.AddSingleton<Core.Routing.RetryAfterPauses>();
        builder.Services.AddSingleton<RetryAfterIngest>();
        builder.Services.AddSingleton<IProbeSampleObserver>(sp => sp.GetRequiredService<RetryAfterIngest>());
        builder.Services.AddHostedService<SampleFeed>();
        return builder;
    }
}
