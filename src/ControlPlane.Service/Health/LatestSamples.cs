using System.Collections.Concurrent;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Health;

/// <summary>The most recent sample of every target on this replica, for the read API.</summary>
public sealed class LatestSamples : IProbeSampleObserver
{
    private readonly ConcurrentDictionary<TargetId, ProbeSample> _latest = new();

    public void OnSample(ProbeSample sample) =>
        _latest.AddOrUpdate(sample.Target, sample, (_, current) => sample.ObservedAt >= current.ObservedAt ? sample : current);

    public ProbeSample? For(TargetId target) => _latest.TryGetValue(target, out var sample) ? sample : null;
}
