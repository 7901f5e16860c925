using System.Collections.Concurrent;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>
/// The interval each target is probed at now, as this replica knows it. Adaptive probing on the leader changes it
/// (<see cref="ProbeCadenceStore"/> carries the change to the other replicas); a target missing here runs at its
/// catalog interval.
/// </summary>
public sealed class ProbeIntervals
{
    private readonly ConcurrentDictionary<TargetId, TimeSpan> _intervals = new();

    public event Action<TargetId, TimeSpan>? Changed;

    public TimeSpan For(TargetDefinition target) => _intervals.GetValueOrDefault(target.Id, target.Probe.Interval);

    /// <summary>Records the interval; true (and <see cref="Changed"/> raised) when it differs from the one known before.</summary>
    public bool Set(TargetDefinition target, TimeSpan interval)
    {
        var previous = For(target);
        if (interval == target.Probe.Interval)
        {
            _intervals.TryRemove(target.Id, out _);
        }
        else
        {
            _intervals[target.Id] = interval;
        }

        if (previous == interval)
        {
            return false;
        }

        Changed?.Invoke(target.Id, interval);
        return true;
    }
}
