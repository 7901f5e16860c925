using System.ComponentModel.DataAnnotations;
using ControlPlane.Core.Breakers;

namespace ControlPlane.Service.Breakers;

/// <summary>The "Breakers" section: evaluation cadence and breaker thresholds (defaults from <see cref="BreakerSettings"/>).</summary>
public sealed class BreakerOptions : IValidatableObject
{
    public const string SectionName = "Breakers";

    /// <summary>Longest gap between evaluations; a probe result wakes the evaluator sooner.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:01")]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Shortest gap between evaluations, so a burst of samples costs one evaluation, not hundreds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MinimumEvaluationGap { get; set; } = TimeSpan.FromMilliseconds(50);

    [Range(1, 1000)]
    public int ConsecutiveFailureThreshold { get; set; } = BreakerSettings.Default.ConsecutiveFailureThreshold;

    [Range(0.01, 1.0)]
    public double FailureRatioThreshold { get; set; } = BreakerSettings.Default.FailureRatioThreshold;

    [Range(1, 100_000)]
    public double MinimumSamples { get; set; } = BreakerSettings.Default.MinimumSamples;

    public bool CountRateLimitedAsFailure { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan BaseBreakDuration { get; set; } = BreakerSettings.Default.BaseBreakDuration;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxBreakDuration { get; set; } = BreakerSettings.Default.MaxBreakDuration;

    [Range(1, 100)]
    public int HalfOpenSuccessThreshold { get; set; } = BreakerSettings.Default.HalfOpenSuccessThreshold;

    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SlowStartDuration { get; set; } = BreakerSettings.Default.SlowStartDuration;

    /// <summary>
    /// Probe HalfOpen and suspect targets faster (Open ones wait at their catalog interval for the break to end), and
    /// targets covered by gateway traffic with a list-models liveness probe at a third of the rate. Providers' probe
    /// budgets hold either way.
    /// </summary>
    public bool AdaptiveProbing { get; set; } = true;

    public BreakerSettings ToSettings() => BreakerSettings.Default with
    {
        ConsecutiveFailureThreshold = ConsecutiveFailureThreshold,
        FailureRatioThreshold = FailureRatioThreshold,
        MinimumSamples = MinimumSamples,
        CountRateLimitedAsFailure = CountRateLimitedAsFailure,
        BaseBreakDuration = BaseBreakDuration,
        MaxBreakDuration = MaxBreakDuration,
        HalfOpenSuccessThreshold = HalfOpenSuccessThreshold,
        SlowStartDuration = SlowStartDuration,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Rejected rather than clamped: a silently raised maximum is a break duration nobody configured.
        if (MaxBreakDuration < BaseBreakDuration)
        {
            yield return new ValidationResult(
                $"Breakers:MaxBreakDuration ({MaxBreakDuration}) must be at least Breakers:BaseBreakDuration ({BaseBreakDuration}).",
                [nameof(MaxBreakDuration), nameof(BaseBreakDuration)]);
        }
    }
}
