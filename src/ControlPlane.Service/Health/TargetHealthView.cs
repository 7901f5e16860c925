using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Breakers;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Health;

/// <summary>Sliding-window statistics of every target, fed by probe results; what the read API and the breakers see.</summary>
public sealed class TargetHealthView(HealthWindows windows, EvaluationSignal evaluation, TimeProvider time) : IProbeSampleObserver
{
    public HealthWindows Windows => windows;

    public void OnSample(ProbeSample sample)
    {
        windows.Record(sample);
        evaluation.Notify();
    }

    public WindowView WindowFor(TargetId target) => WindowView.From(windows.Snapshot(target, time.GetUtcNow()));
}

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
