using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Health;

/// <summary>One target's window statistics as the API shows them and the audit trail stores them.</summary>
public sealed record WindowView(
    double WindowSeconds,
    double Total,
    IReadOnlyDictionary<string, double> Counts,
    double FailureRatio,
    double OverloadRatio,
    double ConsecutiveFailures,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    double? TimeToFirstTokenP50Ms,
    double? TimeToFirstTokenP95Ms,
    string? LastOutcome,
    DateTimeOffset? LastSampleAt)
{
    public static WindowView From(WindowStats stats) => new(
        (stats.To - stats.From).TotalSeconds,
        stats.Total,
        stats.Counts.Where(c => c.Value > 0).ToDictionary(c => c.Key.ToWireName(), c => c.Value),
        stats.FailureRatio(),
        stats.OverloadRatio,
        stats.ConsecutiveFailures(),
        stats.LatencyP50?.TotalMilliseconds,
        stats.LatencyP95?.TotalMilliseconds,
        stats.TimeToFirstTokenP50?.TotalMilliseconds,
        stats.TimeToFirstTokenP95?.TotalMilliseconds,
        stats.LastOutcome?.ToWireName(),
        stats.LastSampleAt);
}
