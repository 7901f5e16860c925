using ControlPlane.Contracts;
using ControlPlane.Service.Leadership;
using Microsoft.Extensions.Options;
using Npgsql;
using Prometheus;

namespace ControlPlane.Service.Publishing;

/// <summary>
/// Publishes committed routing table versions from the outbox to RabbitMQ, strictly in version order, on the leader
/// only. A version is marked sent after the broker confirms it; until then it is retried with backoff, and nothing
/// after it is published (subscribers may then see a version twice, never out of order or missing).
/// </summary>
internal sealed partial class OutboxRelay(
    ILeadership leadership,
    NpgsqlDataSource dataSource,
    RoutingTablePublisher publisher,
    OutboxSignal signal,
    IOptions<PublishingOptions> options,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : LeaderService(leadership, time, logger)
{
    private static readonly Gauge Pending = Metrics.CreateGauge("controlplane_outbox_pending", "Routing table versions committed but not yet confirmed by the broker.");
    private static readonly Counter Published = Metrics.CreateCounter("controlplane_routing_tables_published_total", "Routing table versions published to RabbitMQ.");
    private static readonly Counter Failures = Metrics.CreateCounter("controlplane_outbox_publish_failures_total", "Failed attempts to publish a routing table version.");
    private static readonly Histogram CommitToPublish = Metrics.CreateHistogram(
        "controlplane_outbox_publish_latency_seconds", "Time from committing a version to the broker confirming it.",
        new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(400);

    // A lost term needs nothing undone: the next leader picks up from the outbox.
    protected override async Task LeadAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var delay = options.Value.RelayPollInterval;
            try
            {
                var sent = await PublishPendingAsync(cancellationToken);
                failures = 0;
                if (sent > 0)
                {
                    continue; // There may be more.
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures++;
                Failures.Inc();
                delay = Backoff(failures);
                Log.PublishFailed(Logger, e.GetType().Name, delay.TotalSeconds);
            }

            await signal.WaitAsync(delay, Time, cancellationToken);
        }
    }

    private async Task<int> PublishPendingAsync(CancellationToken cancellationToken)
    {
        var pending = new List<(long Version, string Payload, DateTimeOffset CreatedAt)>();
        await using (var select = dataSource.CreateCommand(
            "SELECT version, payload, created_at FROM routing_outbox WHERE published_at IS NULL ORDER BY version LIMIT 100"))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                pending.Add((reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2)));
            }
        }

        Pending.Set(pending.Count);
        foreach (var (version, payload, createdAt) in pending)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Value.PublishTimeout);
                await publisher.PublishAsync(version, payload, createdAt, timeout.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await RecordFailureAsync(version, e.GetType().Name, cancellationToken);
                throw;
            }

            var now = Time.GetUtcNow();
            await using var update = dataSource.CreateCommand(
                "UPDATE routing_outbox SET published_at = $2, attempts = attempts + 1, last_error = NULL WHERE version = $1");
            update.Parameters.Add(new() { Value = version });
            update.Parameters.Add(new() { Value = now });
            await update.ExecuteNonQueryAsync(cancellationToken);
            Published.Inc();
            Pending.Dec();
            CommitToPublish.Observe(Math.Max(0, (now - createdAt).TotalSeconds));
            Log.Published(Logger, version);
        }

        return pending.Count;
    }

    private async Task RecordFailureAsync(long version, string error, CancellationToken cancellationToken)
    {
        try
        {
            await using var update = dataSource.CreateCommand("UPDATE routing_outbox SET attempts = attempts + 1, last_error = $2 WHERE version = $1");
            update.Parameters.Add(new() { Value = version });
            update.Parameters.Add(new() { Value = error });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (NpgsqlException)
        {
            // Bookkeeping only; the version stays pending either way.
        }
    }

    private TimeSpan Backoff(int failures) =>
        DeliveryBackoff.Next(failures, FirstRetryDelay, options.Value.MaxRetryDelay, Random.Shared.NextDouble());
}
