using Microsoft.Extensions.Options;
using Prometheus;

namespace ControlPlane.Service.Subscribers;

/// <summary>Exports fleet convergence as metrics: live subscribers and the fraction of them on the current version.</summary>
internal sealed partial class ConvergenceMonitor(
    SubscriberStore store, IOptions<SubscriberOptions> options, TimeProvider time, ILogger<ConvergenceMonitor> logger) : BackgroundService
{
    private static readonly Gauge Live = Metrics.CreateGauge("controlplane_subscribers_live", "Subscribers that reported within the live window.");
    private static readonly Gauge OnCurrent = Metrics.CreateGauge("controlplane_subscribers_current_ratio", "Fraction of live subscribers on the latest routing table version (1 when there are none).");
    private static readonly Gauge Stale = Metrics.CreateGauge("controlplane_subscribers_stale", "Live subscribers not on the latest routing table version.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5), time);
        do
        {
            try
            {
                var fleet = await store.FleetAsync(time.GetUtcNow(), options.Value.LiveWindow, stoppingToken);
                Live.Set(fleet.Live);
                Stale.Set(fleet.Live - fleet.LiveOnCurrent);
                OnCurrent.Set(fleet.Live == 0 ? 1 : (double)fleet.LiveOnCurrent / fleet.Live);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.ConvergenceFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
