using ControlPlane.Contracts;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Core.Routing;
using ControlPlane.Service.Probing.Scheduling;
using Prometheus;

namespace ControlPlane.Service.Health;

/// <summary>
/// Fleet-wide Retry-After (issue #15): a target's 429 retry hint, from a gateway's traffic report
/// (<see cref="TargetTraffic.RetryAfterUntil"/>) or from a probe, pauses the target in <see cref="RetryAfterPauses"/>;
/// the evaluator builds the table with the pauses, so every subscriber leaves the target alone until the hint runs out.
/// A hint that moves a pause later wakes the evaluator at once.
/// </summary>
public sealed class RetryAfterIngest(ProviderCatalog catalog, RetryAfterPauses pauses, EvidenceSignal evaluation, TimeProvider time) : IProbeSampleObserver
{
    private static readonly Counter Hints = Metrics.CreateCounter(
        "controlplane_retry_after_hints_total",
        "Retry hints (429 with retry-after) received, by source (traffic, probe) and result (paused: moved a pause later; known: within one; ignored: none, absurd or past).",
        "source", "result");

    public void Fold(TrafficReport report)
    {
        if (report.Targets is null)
        {
            return;
        }

        foreach (var entry in report.Targets)
        {
            // Only catalog targets: a report must not be able to grow our memory with made-up ids.
            if (entry?.RetryAfterUntil is { } until && entry.Target is not null && catalog.Targets.ContainsKey(new TargetId(entry.Target)))
            {
                Record(new TargetId(entry.Target), until, "traffic");
            }
        }
    }

    public void OnSample(ProbeSample sample)
    {
        if (sample.Outcome == ProbeOutcome.RateLimited && sample.RetryAfter is { } delay)
        {
            Record(sample.Target, sample.ObservedAt + delay, "probe");
        }
    }

    private void Record(TargetId target, DateTimeOffset until, string source)
    {
        var now = time.GetUtcNow();
        if (pauses.Record(target, until, now))
        {
            Hints.WithLabels(source, "paused").Inc();
            evaluation.Notify();
        }
        else
        {
            Hints.WithLabels(source, Contracts.Providers.RetryAfter.PauseUntil(until, now) is null ? "ignored" : "known").Inc();
        }
    }
}
