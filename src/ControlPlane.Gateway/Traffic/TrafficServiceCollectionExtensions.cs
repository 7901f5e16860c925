namespace ControlPlane.Gateway.Traffic;

public static class TrafficServiceCollectionExtensions
{
    /// <summary>Passive health: per-target outcomes aggregated and published to the control plane every second.</summary>
    public static IHostApplicationBuilder AddTrafficReports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TrafficRecorder>();
        builder.Services.AddHostedService<TrafficReportPublisher>();
        return builder;
    }
}
