using System.Globalization;
using ControlPlane.Service.Leadership;
using ControlPlane.Service.Subscribers;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Alerts;

/// <summary>
/// On the leader, finds live subscribers still behind a routing table version published more than
/// <see cref="AlertOptions.SubscriberStaleAfter"/> ago, and live subscribers holding a table this control plane never
/// committed, and hands them to the <see cref="AlertMonitor"/>.
/// </summary>
internal sealed partial class StaleSubscriberWatch(
    ILeadership leadership,
    SubscriberStore subscribers,
    AlertMonitor monitor,
    IOptions<AlertOptions> options,
    IOptions<SubscriberOptions> fleet,
    TimeProvider time,
    ILogger<StaleSubscriberWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SubscriberCheckInterval, time);
        do
        {
            if (!leadership.IsLeader)
            {
                continue;
            }

            try
            {
                monitor.UpdateStaleSubscribers(await StaleAsync(stoppingToken));
                monitor.UpdateUnknownTables(await subscribers.UnknownTablesAsync(time.GetUtcNow() - fleet.Value.LiveWindow, stoppingToken));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                Log.StaleCheckFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<IReadOnlyList<(string, string)>> StaleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var staleAfter = options.Value.SubscriberStaleAfter;
        var behind = await subscribers.BehindAsync(now - fleet.Value.LiveWindow, now - staleAfter, cancellationToken);
        return behind
            .Select(s => (s.SubscriberId, $"applied version {(s.AppliedVersion is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none")}, current {s.CurrentVersion}, for more than {staleAfter.TotalSeconds:0} s"))
            .ToList();
    }
}
