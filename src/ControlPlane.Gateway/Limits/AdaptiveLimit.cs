namespace ControlPlane.Gateway.Limits;

/// <summary>
/// One target's concurrency limit on this gateway: AIMD in the manner of Netflix's concurrency-limits, with a
/// latency signal in the manner of Envoy's adaptive concurrency. A healthy sample adds one; a congestion signal
/// (429, overloaded, timeout, or latency above <see cref="ConcurrencyLimitOptions.Tolerance"/> × the baseline)
/// multiplies by <see cref="ConcurrencyLimitOptions.Backoff"/>. Pure and single-threaded: the caller locks and passes
/// the time (timestamps of a <see cref="TimeProvider"/>).
/// </summary>
internal sealed class AdaptiveLimit(ConcurrencyLimitOptions options, long timestampFrequency)
{
    private readonly Baseline _streaming = new();
    private readonly Baseline _whole = new();
    private double _limit = options.InitialLimit;
    private long _lastDecreaseAt = long.MinValue;

    public int InFlight { get; private set; }

    /// <summary>The limit in force under a ceiling (which the table's view of the target sets).</summary>
    public int Limit(double ceiling) => (int)Math.Max(options.MinLimit, Math.Floor(Math.Min(_limit, ceiling)));

    /// <summary>
    /// Admits one more request unless the target is at its limit; requests that are not critical stop at
    /// <see cref="ConcurrencyLimitOptions.NonCriticalShare"/> of it, so the rest stays free for critical ones.
    /// </summary>
    public SlotDecision TryAcquire(bool critical, double ceiling)
    {
        var limit = Limit(ceiling);
        if (InFlight >= limit)
        {
            return SlotDecision.AtLimit;
        }

        // At least one: a tiny limit reserved wholly for critical requests could starve the target of the samples it
        // needs to recover when no critical traffic comes.
        if (!critical && InFlight >= Math.Max(1, (int)Math.Floor(limit * options.NonCriticalShare)))
        {
            return SlotDecision.CriticalReserve;
        }

        InFlight++;
        return SlotDecision.Admitted;
    }

    /// <summary>Counts one more request in flight whatever the limit (limits switched off).</summary>
    public void Enter() => InFlight++;

    public void Release() => InFlight = Math.Max(0, InFlight - 1);

    /// <summary>
    /// One finished attempt. <paramref name="latency"/> is the time to response headers, null when there was none to
    /// learn from; <paramref name="overloaded"/> is a 429, overloaded or timeout answer.
    /// </summary>
    public void Sample(long startedAt, long now, TimeSpan? latency, bool overloaded, bool stream, double ceiling)
    {
        var congested = overloaded;
        if (!overloaded && latency is { } observed)
        {
            // Streaming headers come with the first token, whole answers after the last: two baselines, not one.
            var baseline = (stream ? _streaming : _whole).Observe(observed, now, Ticks(options.BaselineWindow));
            var floor = baseline > options.BaselineFloor ? baseline : options.BaselineFloor;
            congested = observed > floor * options.Tolerance;
        }
        else if (!overloaded)
        {
            return; // no latency and no overload (a refused connection, an auth failure): nothing about load
        }

        if (congested)
        {
            // A request sent before the last decrease was admitted under the old limit; letting it cut again would
            // punish one burst once per request in it.
            if (startedAt >= _lastDecreaseAt)
            {
                _limit = Math.Max(options.MinLimit, Math.Min(_limit, ceiling) * options.Backoff);
                _lastDecreaseAt = now;
            }

            return;
        }

        // The ceiling bounds growth, so the limit may rise while load is light: a limit that could only rise under
        // full load would meet the first burst after an outage still sized for the outage.
        _limit = Math.Min(Math.Max(ceiling, options.MinLimit), _limit + 1);
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * timestampFrequency);

    /// <summary>
    /// Fastest latency of the current and the previous window with samples: old enough to ignore a slow spell, young
    /// enough to follow a target that got slower for good.
    /// </summary>
    private sealed class Baseline
    {
        private TimeSpan? _current;
        private TimeSpan? _previous;
        private long _windowStart = long.MinValue;

        public TimeSpan Observe(TimeSpan latency, long now, long window)
        {
            if (_windowStart == long.MinValue)
            {
                _windowStart = now;
            }
            else if (now - _windowStart >= window)
            {
                // An idle spell keeps the last baseline: a target that comes back slow after a quiet while must not
                // have its slowness taken for its normal speed. Only a window full of slow samples moves it.
                _previous = _current ?? _previous;
                _current = null;
                _windowStart = now;
            }

            if (_current is null || latency < _current)
            {
                _current = latency;
            }

            return _previous is { } previous && previous < _current.Value ? previous : _current.Value;
        }
    }
}

/// <summary>What <see cref="AdaptiveLimit.TryAcquire"/> decided.</summary>
internal enum SlotDecision
{
    Admitted,

    /// <summary>The target has as many requests in flight as its limit.</summary>
    AtLimit,

    /// <summary>A request that is not critical met the share kept for critical requests.</summary>
    CriticalReserve,
}
