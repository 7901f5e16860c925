using ControlPlane.Service.Leadership;
using ControlPlane.Service.Publishing;
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
    NpgsqlDataSource dataSource,
    SubscriberStore subscribers,
    AlertMonitor monitor,
    IOptions<AlertOptions> options,
    IOptions<PublishingOptions> publishing,
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
                monitor.UpdateUnknownTables(await subscribers.UnknownTablesAsync(time.GetUtcNow() - publishing.Value.SubscriberLiveWindow, stoppingToken));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogFailed(logger, e.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<IReadOnlyList<(string, string)>> StaleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand(
            """
            SELECT s.subscriber_id, s.applied_version, (SELECT max(version) FROM routing_tables) AS current
            FROM subscribers s
            WHERE s.last_seen > $1
              AND EXISTS (SELECT 1 FROM routing_tables t WHERE t.version > COALESCE(s.applied_version, 0) AND t.created_at < $2)
            ORDER BY s.subscriber_id
            """);
        command.Parameters.Add(new() { Value = now - publishing.Value.SubscriberLiveWindow });
        command.Parameters.Add(new() { Value = now - options.Value.SubscriberStaleAfter });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var stale = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var applied = reader.IsDBNull(1) ? "none" : reader.GetInt64(1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            stale.Add((reader.GetString(0), $"applied version {applied}, current {reader.GetInt64(2)}, for more than {options.Value.SubscriberStaleAfter.TotalSeconds:0} s"));
        }

        return stale;
    }

    [LoggerMessage(EventId = 1921, Level = LogLevel.Warning, Message = "Stale subscriber check failed ({Error})")]
    private static partial void LogFailed(ILogger logger, string error);
}
