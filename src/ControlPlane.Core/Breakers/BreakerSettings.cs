using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Breakers;

public sealed record BreakerSettings
{
    public static BreakerSettings Default { get; } = new();

    public int ConsecutiveFailureThreshold { get; init; } = 3;

    public double FailureRatioThreshold { get; init; } = 0.5;

    /// <summary>Weighted observations (failures + answers) the window must hold before the ratio may trip.</summary>
    public double MinimumSamples { get; init; } = 10;

    /// <summary>Outcomes counted as outage failures. BadRequest and QuotaExceeded are dropped even if listed.</summary>
    public IReadOnlySet<ProbeOutcome> FailureOutcomes { get; init; } = OutcomeSets.DefaultFailures;

    public bool CountRateLimitedAsFailure { get; init; }

    public TimeSpan BaseBreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    public double BreakDurationMultiplier { get; init; } = 2;

    public TimeSpan MaxBreakDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>After staying out of Open/HalfOpen this long since the last recovery, the trip count starts again at zero.</summary>
    public TimeSpan TripCountResetAfter { get; init; } = TimeSpan.FromMinutes(10);

    public int HalfOpenSuccessThreshold { get; init; } = 2;

    public TimeSpan SlowStartDuration { get; init; } = TimeSpan.FromSeconds(60);

    public double SlowStartFloor { get; init; } = 0.1;

    /// <summary>
    /// The ramp moves in this many equal steps rather than continuously, so routing shifts a handful of times per
    /// ramp. The steps are computed by each subscriber from the table's <c>slowStart</c> (SlowStartRamp); the table
    /// itself changes once per recovery.
    /// </summary>
    public int SlowStartSteps { get; init; } = 10;

    /// <summary>Leave Degraded only once latency p95 is below this fraction of the objective (enter: above the objective).</summary>
    public double DegradedExitFactor { get; init; } = 0.8;

    public TimeSpan DegradedMinDwell { get; init; } = TimeSpan.FromSeconds(30);

    public double DegradedWeightFactor { get; init; } = 0.5;

    /// <summary>Weighted answered observations needed before latency percentiles may move the state.</summary>
    public double MinimumLatencySamples { get; init; } = 3;

    public IReadOnlySet<ProbeOutcome> CountedFailures()
    {
        var set = new HashSet<ProbeOutcome>(FailureOutcomes);
        set.Remove(ProbeOutcome.BadRequest);
        set.Remove(ProbeOutcome.QuotaExceeded);
        if (CountRateLimitedAsFailure)
        {
            set.Add(ProbeOutcome.RateLimited);
        }

        return set;
    }

    /// <summary>Break length after the <paramref name="tripCount"/>-th trip: base × multiplier^(trips − 1), capped.</summary>
    public TimeSpan BreakDurationFor(int tripCount)
    {
        var factor = Math.Pow(BreakDurationMultiplier, Math.Max(0, tripCount - 1));
        var ticks = BaseBreakDuration.Ticks * factor;
        return ticks >= MaxBreakDuration.Ticks ? MaxBreakDuration : TimeSpan.FromTicks((long)ticks);
    }
}
