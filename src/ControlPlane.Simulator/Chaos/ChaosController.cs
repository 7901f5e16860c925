namespace ControlPlane.Simulator.Chaos;

/// What chaos decided for one request.
internal readonly record struct ChaosDecision(ChaosMode Mode, TimeSpan Latency, int RetryAfterSeconds);

/// Per-provider chaos state: the settings, when they were applied (schedules count from there), and the seeded
/// random stream. Pure apart from the injected clock, so schedules are testable with FakeTimeProvider.
internal sealed class ChaosController
{
    private static readonly TimeSpan s_defaultSlowLatency = TimeSpan.FromMilliseconds(3000);

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private ChaosSettings _settings = ChaosSettings.Healthy;
    private IReadOnlyList<ChaosStep> _steps = [new ChaosStep()];
    private DateTimeOffset _appliedAt;
    private Random _random;
    private int _inFlight;

    public ChaosController(int seed, TimeProvider time)
    {
        _time = time;
        _random = new Random(seed);
        _appliedAt = time.GetUtcNow();
    }

    public ChaosSettings Settings
    {
        get
        {
            lock (_lock)
            {
                return _settings;
            }
        }
    }

    public void Apply(ChaosSettings settings)
    {
        lock (_lock)
        {
            _settings = settings;
            _steps = settings.Schedule is { Count: > 0 } schedule ? schedule : [ToStep(settings)];
            _appliedAt = _time.GetUtcNow();
            if (settings.Seed is { } seed)
            {
                _random = new Random(seed);
            }
        }
    }

    public ChaosStep ActiveStep()
    {
        lock (_lock)
        {
            return Resolve(_time.GetUtcNow() - _appliedAt).Step;
        }
    }

    /// Time until the schedule moves to its next step, or null when the current step holds forever.
    public TimeSpan? UntilNextStep()
    {
        lock (_lock)
        {
            return Resolve(_time.GetUtcNow() - _appliedAt).Remaining;
        }
    }

    /// A refuse step hitting every request is modelled by stopping the listener (real ECONNREFUSED);
    /// a partial refuse rate cannot refuse individual connections, so those are reset per request instead.
    public bool ListenerShouldRun()
    {
        var step = ActiveStep();
        return step.Mode != ChaosMode.Refuse || step.FailureRate < 1;
    }

    public ChaosDecision Decide()
    {
        lock (_lock)
        {
            var step = Resolve(_time.GetUtcNow() - _appliedAt).Step;
            var hit = step.Mode != ChaosMode.Healthy && step.FailureRate > 0
                && (step.FailureRate >= 1 || _random.NextDouble() < step.FailureRate);
            var mode = hit ? step.Mode : ChaosMode.Healthy;

            var latency = step.Mode == ChaosMode.Slow
                ? (hit ? Ms(step.LatencyMs) ?? s_defaultSlowLatency : TimeSpan.Zero)
                : Ms(step.LatencyMs) ?? TimeSpan.Zero;
            return new ChaosDecision(mode, latency, step.RetryAfterSeconds);
        }
    }

    /// Counts a request in flight (for the capacity model); returns how many are, this one included.
    public int Enter() => Interlocked.Increment(ref _inFlight);

    public void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <see cref="Decide()"/> under the capacity model: a healthy answer slows down with the load beyond
    /// <see cref="ChaosSettings.Capacity"/>, and past the queue it is an overloaded answer.
    public ChaosDecision Decide(int inFlight)
    {
        var decision = Decide();
        var settings = Settings;
        if (settings.Capacity is not { } capacity || decision.Mode != ChaosMode.Healthy || inFlight <= capacity)
        {
            return decision;
        }

        if (settings.QueueLimit is { } queue && inFlight > capacity + queue)
        {
            return decision with { Mode = ChaosMode.Overloaded, Latency = TimeSpan.Zero };
        }

        return decision with { Latency = decision.Latency * inFlight / capacity };
    }

    private (ChaosStep Step, TimeSpan? Remaining) Resolve(TimeSpan elapsed)
    {
        for (var i = 0; i < _steps.Count; i++)
        {
            var step = _steps[i];
            if (i == _steps.Count - 1)
            {
                return (step, null);
            }

            var duration = TimeSpan.FromSeconds(step.DurationSeconds ?? 0);
            if (elapsed < duration)
            {
                return (step, duration - elapsed);
            }

            elapsed -= duration;
        }

        return (new ChaosStep(), null);
    }

    private static TimeSpan? Ms(int? ms) => ms is { } v ? TimeSpan.FromMilliseconds(v) : null;

    private static ChaosStep ToStep(ChaosSettings s) => new()
    {
        Mode = s.Mode,
        FailureRate = s.FailureRate,
        LatencyMs = s.LatencyMs,
        RetryAfterSeconds = s.RetryAfterSeconds,
    };
}
