using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Health;

/// <summary>
/// Sliding window of one target's observations: a ring of time buckets (weighted outcome counts plus log-scale
/// latency and time-to-first-token histograms, see <see cref="LatencyHistogram"/>) and a short time-ordered
/// history for streaks. Buckets are allocated only when something lands in them and reused afterwards, so a
/// target probed every 10 s holds about six small buckets (~3 KB all told) and 10,000 such targets about 30 MB.
/// </summary>
/// <remarks>
/// Latencies are histogrammed only for answered observations (success, slow): a timeout's 8 s or a refused
/// connection's 2 ms describe the failure, not the service time. Thread-safe: ingestion and evaluation may
/// run on different threads.
/// </remarks>
public sealed class TargetWindow
{
    /// <summary>How many recent observations are kept for streaks; streaks longer than this saturate.</summary>
    public const int RecentCapacity = 32;

    private static readonly int OutcomeCount = ProbeOutcomes.All.Max(o => (int)o) + 1;

    private readonly Lock _gate = new();
    private readonly long _bucketTicks;
    private readonly Bucket?[] _buckets;
    private readonly List<RecentEntry> _recent = new(RecentCapacity);
    private long _newestEpoch = long.MinValue;

    public TargetWindow(TargetId target, WindowOptions? options = null)
    {
        options ??= WindowOptions.Default;
        options.Validate();
        Target = target;
        Options = options;
        _bucketTicks = options.BucketWidth.Ticks;
        _buckets = new Bucket?[options.BucketCount];
    }

    public TargetId Target { get; }

    public WindowOptions Options { get; }

    public void Record(ProbeSample sample, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (!(weight > 0))
        {
            return;
        }

        lock (_gate)
        {
            var bucket = BucketFor(sample.ObservedAt);
            if (bucket is null)
            {
                return;
            }

            bucket.Add(sample.Outcome, weight, sample.Latency, sample.TimeToFirstToken);
            AddRecent(new RecentEntry(sample.ObservedAt.UtcTicks, (float)weight, sample.Outcome));
        }
    }

    /// <summary>
    /// Folds a gateway traffic report in: each count is multiplied by <paramref name="weight"/>. The order of
    /// requests inside one report is unknown, so its history entries are laid out minority first, majority last:
    /// a report that is mostly failures extends the failure streak, one that is mostly answers ends it.
    /// </summary>
    public void Record(PassiveObservation observation, double weight = 1)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (!(weight > 0))
        {
            return;
        }

        var entries = observation.Counts
            .Where(kv => kv.Value > 0)
            .Select(kv => (Outcome: kv.Key, Weight: kv.Value * weight))
            .ToList();
        if (entries.Count == 0)
        {
            return;
        }

        var answered = entries.Where(e => e.Outcome.IsAvailable()).Sum(e => e.Weight);
        var answeredIsMajority = answered * 2 >= entries.Sum(e => e.Weight);
        var ordered = entries
            .OrderBy(e => e.Outcome.IsAvailable() == answeredIsMajority)
            .ThenBy(e => e.Weight)
            .ThenBy(e => e.Outcome);

        lock (_gate)
        {
            var bucket = BucketFor(observation.ObservedAt);
            if (bucket is null)
            {
                return;
            }

            foreach (var (outcome, w) in ordered)
            {
                var answer = outcome.IsAvailable();
                bucket.Add(outcome, w, answer ? observation.Latency : null, answer ? observation.TimeToFirstToken : null);
                AddRecent(new RecentEntry(observation.ObservedAt.UtcTicks, (float)w, outcome));
            }
        }
    }

    /// <summary>
    /// Statistics over the window ending at <paramref name="now"/>; with <paramref name="since"/>, only buckets
    /// reaching past it (the bucket containing <paramref name="since"/> is included whole) and history entries
    /// strictly after it.
    /// </summary>
    public WindowStats Snapshot(DateTimeOffset now, DateTimeOffset? since = null)
    {
        var nowEpoch = EpochOf(now);
        var minEpoch = nowEpoch - _buckets.Length + 1;
        if (since is { } s)
        {
            minEpoch = Math.Max(minEpoch, EpochOf(s));
        }

        var windowStart = new DateTimeOffset(minEpoch * _bucketTicks, TimeSpan.Zero);
        var counts = new double[OutcomeCount];
        var latency = new double[LatencyHistogram.BinCount];
        var ttft = new double[LatencyHistogram.BinCount];
        double latencyTotal = 0, ttftTotal = 0;
        List<RecentObservation> recent;

        lock (_gate)
        {
            foreach (var bucket in _buckets)
            {
                if (bucket is null || bucket.Epoch < minEpoch || bucket.Epoch > nowEpoch)
                {
                    continue;
                }

                bucket.AddTo(counts, latency, ttft, ref latencyTotal, ref ttftTotal);
            }

            var after = Math.Max(now.UtcTicks - Options.Length.Ticks, since?.UtcTicks ?? long.MinValue);
            recent = _recent
                .Where(r => r.UtcTicks > after && r.UtcTicks <= now.UtcTicks)
                .Select(r => new RecentObservation(new DateTimeOffset(r.UtcTicks, TimeSpan.Zero), r.Outcome, r.Weight))
                .ToList();
        }

        var byOutcome = new Dictionary<ProbeOutcome, double>();
        var total = 0.0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                byOutcome[(ProbeOutcome)i] = counts[i];
                total += counts[i];
            }
        }

        return new WindowStats(
            Target,
            windowStart,
            now,
            byOutcome,
            total,
            latencyTotal,
            LatencyHistogram.Percentile(latency, latencyTotal, 0.50),
            LatencyHistogram.Percentile(latency, latencyTotal, 0.95),
            LatencyHistogram.Percentile(ttft, ttftTotal, 0.50),
            LatencyHistogram.Percentile(ttft, ttftTotal, 0.95),
            recent);
    }

    private long EpochOf(DateTimeOffset at) => at.UtcTicks / _bucketTicks;

    private Bucket? BucketFor(DateTimeOffset at)
    {
        var epoch = EpochOf(at);
        if (_newestEpoch != long.MinValue && epoch <= _newestEpoch - _buckets.Length)
        {
            return null; // older than anything the window still covers
        }

        var slot = (int)(epoch % _buckets.Length);
        var bucket = _buckets[slot] ??= new Bucket(epoch, OutcomeCount);
        if (bucket.Epoch > epoch)
        {
            return null;
        }

        if (bucket.Epoch < epoch)
        {
            bucket.Reset(epoch);
        }

        _newestEpoch = Math.Max(_newestEpoch, epoch);
        return bucket;
    }

    private void AddRecent(RecentEntry entry)
    {
        var index = _recent.Count;
        while (index > 0 && _recent[index - 1].UtcTicks > entry.UtcTicks)
        {
            index--;
        }

        if (_recent.Count == RecentCapacity)
        {
            if (index == 0)
            {
                return; // older than everything kept
            }

            _recent.RemoveAt(0);
            index--;
        }

        _recent.Insert(index, entry);
    }

    /// <summary>16 bytes instead of <see cref="RecentObservation"/>'s 32: this history exists for every target.</summary>
    private readonly record struct RecentEntry(long UtcTicks, float Weight, ProbeOutcome Outcome);

    private sealed class Bucket(long epoch, int outcomeCount)
    {
        private readonly float[] _counts = new float[outcomeCount];
        private SparseBins? _latency;
        private SparseBins? _ttft;

        public long Epoch { get; private set; } = epoch;

        public void Reset(long epoch)
        {
            Epoch = epoch;
            Array.Clear(_counts);
            _latency?.Clear();
            _ttft?.Clear();
        }

        public void Add(ProbeOutcome outcome, double weight, TimeSpan? latency, TimeSpan? ttft)
        {
            _counts[(int)outcome] += (float)weight;
            if (!outcome.IsAvailable())
            {
                return;
            }

            if (latency is { } l)
            {
                (_latency ??= new SparseBins()).Add(LatencyHistogram.BinOf(l), (float)weight);
            }

            if (ttft is { } t)
            {
                (_ttft ??= new SparseBins()).Add(LatencyHistogram.BinOf(t), (float)weight);
            }
        }

        public void AddTo(double[] counts, double[] latency, double[] ttft, ref double latencyTotal, ref double ttftTotal)
        {
            for (var i = 0; i < _counts.Length; i++)
            {
                counts[i] += _counts[i];
            }

            latencyTotal += _latency?.AddTo(latency) ?? 0;
            ttftTotal += _ttft?.AddTo(ttft) ?? 0;
        }
    }
}
