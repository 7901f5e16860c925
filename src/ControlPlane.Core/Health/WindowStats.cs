using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Health;

/// <summary>
/// Immutable statistics of one target's window at one instant; also the evidence attached to breaker transitions.
/// Counts are weighted (a probe weighs 1, passive reports weigh what the caller said).
/// </summary>
/// <param name="From">Start of the covered span (window start, or the <c>since</c> asked for, at bucket granularity).</param>
/// <param name="To">The instant of the snapshot.</param>
/// <param name="Counts">Weighted count per outcome; outcomes never seen are absent.</param>
/// <param name="LatencySamples">Weighted number of answered (success or slow) observations behind the latency percentiles.</param>
/// <param name="Recent">The most recent observations in time order (oldest first), bounded (see <see cref="TargetWindow.RecentCapacity"/>).</param>
public sealed record WindowStats(
    TargetId Target,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyDictionary<ProbeOutcome, double> Counts,
    double Total,
    double LatencySamples,
    TimeSpan? LatencyP50,
    TimeSpan? LatencyP95,
    TimeSpan? TimeToFirstTokenP50,
    TimeSpan? TimeToFirstTokenP95,
    IReadOnlyList<RecentObservation> Recent)
{
    public static WindowStats Empty(TargetId target, DateTimeOffset now) =>
        new(target, now, now, new Dictionary<ProbeOutcome, double>(), 0, 0, null, null, null, null, []);

    public ProbeOutcome? LastOutcome => Recent.Count == 0 ? null : Recent[^1].Outcome;

    public DateTimeOffset? LastSampleAt => Recent.Count == 0 ? null : Recent[^1].At;

    public double Count(ProbeOutcome outcome) => Counts.TryGetValue(outcome, out var c) ? c : 0;

    public double Available => Count(ProbeOutcome.Success) + Count(ProbeOutcome.Slow);

    public double OverloadRatio => Total <= 0 ? 0 : Count(ProbeOutcome.Overloaded) / Total;

    /// <summary>Share of answered observations that were over the latency objective.</summary>
    public double SlowRatio => Available <= 0 ? 0 : Count(ProbeOutcome.Slow) / Available;

    /// <summary>Weighted failures plus answered observations: the denominator of <see cref="FailureRatio"/>.</summary>
    /// <remarks>
    /// Outcomes that are neither a counted failure nor an answer (bad request, quota, an uncounted 429) say
    /// nothing about an outage, so they neither dilute nor inflate the ratio.
    /// </remarks>
    public double EvaluatedCount(IReadOnlySet<ProbeOutcome>? failures = null) => FailureCount(failures) + Available;

    public double FailureCount(IReadOnlySet<ProbeOutcome>? failures = null)
    {
        failures ??= OutcomeSets.DefaultFailures;
        var sum = 0.0;
        foreach (var (outcome, count) in Counts)
        {
            if (failures.Contains(outcome))
            {
                sum += count;
            }
        }

        return sum;
    }

    public double FailureRatio(IReadOnlySet<ProbeOutcome>? failures = null)
    {
        var evaluated = EvaluatedCount(failures);
        return evaluated <= 0 ? 0 : FailureCount(failures) / evaluated;
    }

    /// <summary>
    /// Weighted length of the trailing run of counted failures (newest first), optionally only observations after
    /// <paramref name="after"/>. Neutral outcomes are skipped; an answered observation ends the run.
    /// </summary>
    public double ConsecutiveFailures(IReadOnlySet<ProbeOutcome>? failures = null, DateTimeOffset? after = null) =>
        Streak(failures ?? OutcomeSets.DefaultFailures, after, countFailures: true);

    /// <summary>Weighted length of the trailing run of answered observations; a counted failure ends it, neutral ones are skipped.</summary>
    public double ConsecutiveSuccesses(IReadOnlySet<ProbeOutcome>? failures = null, DateTimeOffset? after = null) =>
        Streak(failures ?? OutcomeSets.DefaultFailures, after, countFailures: false);

    /// <summary>The counted failures in the trailing failure run, newest first (for reasons and evidence).</summary>
    public IReadOnlyList<ProbeOutcome> TrailingFailureOutcomes(IReadOnlySet<ProbeOutcome>? failures = null, DateTimeOffset? after = null)
    {
        failures ??= OutcomeSets.DefaultFailures;
        var result = new List<ProbeOutcome>();
        for (var i = Recent.Count - 1; i >= 0 && (after is null || Recent[i].At > after); i--)
        {
            var o = Recent[i].Outcome;
            if (failures.Contains(o))
            {
                result.Add(o);
            }
            else if (o.IsAvailable())
            {
                break;
            }
        }

        return result;
    }

    /// <summary>Any counted failure observed after <paramref name="after"/>; the first one found, newest first.</summary>
    public ProbeOutcome? FailureAfter(DateTimeOffset after, IReadOnlySet<ProbeOutcome>? failures = null)
    {
        failures ??= OutcomeSets.DefaultFailures;
        for (var i = Recent.Count - 1; i >= 0 && Recent[i].At > after; i--)
        {
            if (failures.Contains(Recent[i].Outcome))
            {
                return Recent[i].Outcome;
            }
        }

        return null;
    }

    private double Streak(IReadOnlySet<ProbeOutcome> failures, DateTimeOffset? after, bool countFailures)
    {
        var sum = 0.0;
        for (var i = Recent.Count - 1; i >= 0 && (after is null || Recent[i].At > after); i--)
        {
            var entry = Recent[i];
            var isFailure = failures.Contains(entry.Outcome);
            var isAnswer = !isFailure && entry.Outcome.IsAvailable();
            if (isFailure == countFailures && (isFailure || isAnswer))
            {
                sum += entry.Weight;
            }
            else if (isFailure || isAnswer)
            {
                break;
            }
        }

        return sum;
    }
}
