using System.Collections.Concurrent;
using ControlPlane.Contracts;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;
using MassTransit;
using Prometheus;

namespace ControlPlane.Service.Health;

/// <summary>
/// Passive health: folds a gateway's traffic report into the targets' windows (each request weighted by
/// <c>Health:PassiveWeight</c> against one probe sample) and wakes the evaluator, so an outage under real traffic
/// opens the breaker about a second after it starts rather than a few probe intervals later.
/// </summary>
public sealed partial class TrafficReportIngest(
    ProviderCatalog catalog,
    HealthWindows windows,
    PassiveCoverage coverage,
    ReportingGateways gateways,
    EvidenceSignal evaluation,
    TimeProvider time,
    ILogger<TrafficReportIngest> logger)
{
    /// <summary>Reports older than this (a queue backlog after an outage of ours) describe the past, not now.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private static readonly Dictionary<string, ProbeOutcome> ByWireName = ProbeOutcomes.All.ToDictionary(o => o.ToWireName(), StringComparer.Ordinal);

    private static readonly Counter Reports = Metrics.CreateCounter(
        "controlplane_traffic_reports_total", "Gateway traffic reports received, by result (folded, stale, malformed).", "result");

    private static readonly Counter Requests = Metrics.CreateCounter(
        "controlplane_passive_requests_total", "Requests reported by gateways, by provider and outcome.", "provider", "outcome");

    /// <returns>How many target entries were folded in.</returns>
    public int Fold(TrafficReport report)
    {
        var now = time.GetUtcNow();
        if (report.Targets is null || string.IsNullOrWhiteSpace(report.ReporterId))
        {
            Reports.WithLabels("malformed").Inc();
            return 0;
        }

        if (now - report.WindowEnd > MaxAge)
        {
            Reports.WithLabels("stale").Inc();
            Log.StaleTrafficReport(logger, report.ReporterId, report.WindowEnd);
            return 0;
        }

        // Its sender shares every fleet-wide concurrency ceiling from now on (the reporter id is the gateway instance).
        gateways.Seen(report.ReporterId, now);

        // A gateway clock running ahead must not place evidence in the future of our windows.
        var observedAt = report.WindowEnd < now ? report.WindowEnd : now;
        var folded = 0;
        foreach (var entry in report.Targets)
        {
            // Only catalog targets: a report must not be able to grow our memory with made-up ids.
            if (entry?.Target is null || !catalog.Targets.TryGetValue(new TargetId(entry.Target), out var target) || entry.Outcomes is null)
            {
                continue;
            }

            var counts = new Dictionary<ProbeOutcome, int>();
            foreach (var (name, count) in entry.Outcomes)
            {
                if (count > 0 && ByWireName.TryGetValue(name, out var outcome))
                {
                    counts[outcome] = counts.GetValueOrDefault(outcome) + count;
                    Requests.WithLabels(target.ProviderId, name).Inc(count);
                }
            }

            if (counts.Count == 0)
            {
                continue;
            }

            var latency = entry.LatencyP50Ms is { } ms && ms >= 0 ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
            windows.Record(new PassiveObservation(target.Id, observedAt, counts, latency));
            coverage.Add(target.Id, counts.Values.Sum(), now);
            folded++;
        }

        Reports.WithLabels("folded").Inc();
        if (folded > 0)
        {
            evaluation.Notify();
        }

        return folded;
    }
}

/// <summary>How much real traffic each target saw recently: adaptive probing slows down where it is covered.</summary>
public sealed class PassiveCoverage(Microsoft.Extensions.Options.IOptions<HealthOptions> options)
{
    private readonly ConcurrentDictionary<TargetId, Queue<(DateTimeOffset At, int Count)>> _recent = new();

    public void Add(TargetId target, int count, DateTimeOffset now)
    {
        var queue = _recent.GetOrAdd(target, static _ => new Queue<(DateTimeOffset, int)>());
        lock (queue)
        {
            queue.Enqueue((now, count));
            Prune(queue, now);
        }
    }

    /// <summary>Requests reported for the target over the last <paramref name="horizon"/> (at most the window length).</summary>
    public int RecentCount(TargetId target, DateTimeOffset now, TimeSpan horizon)
    {
        if (!_recent.TryGetValue(target, out var queue))
        {
            return 0;
        }

        lock (queue)
        {
            Prune(queue, now);
            var since = now - horizon;
            var count = 0;
            foreach (var (at, n) in queue)
            {
                count += at >= since ? n : 0;
            }

            return count;
        }
    }

    private void Prune(Queue<(DateTimeOffset At, int Count)> queue, DateTimeOffset now)
    {
        var horizon = now - options.Value.WindowLength;
        while (queue.Count > 0 && queue.Peek().At < horizon)
        {
            queue.Dequeue();
        }
    }
}

/// <summary>Takes TrafficReport messages (raw JSON on controlplane.traffic-reports) from gateways.</summary>
internal sealed class TrafficReportConsumer(TrafficReportIngest ingest, RetryAfterIngest retryAfter) : IConsumer<TrafficReport>
{
    public Task Consume(ConsumeContext<TrafficReport> context)
    {
        ingest.Fold(context.Message);
        retryAfter.Fold(context.Message);
        return Task.CompletedTask;
    }
}
