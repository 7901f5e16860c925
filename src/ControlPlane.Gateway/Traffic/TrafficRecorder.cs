using System.Collections.Concurrent;
using ControlPlane.Contracts;

namespace ControlPlane.Gateway.Traffic;

/// <summary>
/// Per-target outcome counts and latencies since the last report. Recording is a dictionary lookup and a short
/// lock per target; draining swaps the whole window out, so a report never mixes two windows.
/// </summary>
internal sealed class TrafficRecorder
{
    private ConcurrentDictionary<string, TargetTally> _window = new(StringComparer.Ordinal);

    public void Record(string target, string outcome, TimeSpan? latency)
    {
        var tally = _window.GetOrAdd(target, static _ => new TargetTally());
        lock (tally)
        {
            tally.Counts[outcome] = tally.Counts.GetValueOrDefault(outcome) + 1;
            if (latency is { } l)
            {
                tally.LatenciesMs.Add(l.TotalMilliseconds);
            }
        }
    }

    /// <summary>The target asked not to be sent requests until <paramref name="until"/> (a 429's retry hint); the report carries the latest.</summary>
    public void RecordRetryAfter(string target, DateTimeOffset until)
    {
        var tally = _window.GetOrAdd(target, static _ => new TargetTally());
        lock (tally)
        {
            if (tally.RetryAfterUntil is not { } current || until > current)
            {
                tally.RetryAfterUntil = until;
            }
        }
    }

    /// <summary>Everything recorded since the last drain, as report entries (empty when there was no traffic).</summary>
    public IReadOnlyList<TargetTraffic> Drain()
    {
        var window = Interlocked.Exchange(ref _window, new ConcurrentDictionary<string, TargetTally>(StringComparer.Ordinal));
        var entries = new List<TargetTraffic>(window.Count);
        foreach (var (target, tally) in window.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            // A writer may still hold the tally it fetched before the swap; the lock lets it finish first.
            lock (tally)
            {
                tally.LatenciesMs.Sort();
                entries.Add(new TargetTraffic
                {
                    Target = target,
                    Outcomes = new Dictionary<string, int>(tally.Counts, StringComparer.Ordinal),
                    LatencyP50Ms = Percentile(tally.LatenciesMs, 0.50),
                    LatencyP95Ms = Percentile(tally.LatenciesMs, 0.95),
                    RetryAfterUntil = tally.RetryAfterUntil,
                });
            }
        }

        return entries;
    }

    private static double? Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? null : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)], 3);

    private sealed class TargetTally
    {
        public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

        public List<double> LatenciesMs { get; } = [];

        public DateTimeOffset? RetryAfterUntil { get; set; }
    }
}
