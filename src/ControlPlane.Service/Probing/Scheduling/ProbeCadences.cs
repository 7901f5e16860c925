using System.Collections.Concurrent;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>How a target is probed now.</summary>
/// <param name="DesiredInterval">What adaptive probing asked for before the provider's probe budget stretched it.</param>
/// <param name="Suppressed">Gateway traffic covers the target: a list-models liveness probe stands in for inference.</param>
public readonly record struct TargetCadence(TimeSpan Interval, ProbeMode Mode, TimeSpan DesiredInterval, bool Suppressed = false)
{
    /// <summary>The provider's probe budget binds for this target: it is probed less often than adaptive probing asked.</summary>
    public bool BudgetLimited => Interval > DesiredInterval;
}

/// <summary>
/// The cadence each target is probed at now, as this replica knows it. Adaptive probing on the leader changes it
/// (<see cref="ProbeCadenceStore"/> carries the change to the other replicas); a target missing here runs at its
/// baseline: the catalog's interval and mode, stretched by the provider's probe budget as if every target were healthy,
/// so that even the first probes after a start, before the leader has decided anything, keep within the budget.
/// </summary>
public sealed class ProbeCadences
{
    private readonly ConcurrentDictionary<TargetId, TargetCadence> _cadences = new();
    private readonly Dictionary<TargetId, TimeSpan> _budgetBaseline = [];

    public ProbeCadences(ProviderCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var provider in catalog.Providers.Values)
        {
            if (provider.ProbeBudgetPerMinute is not { } budget)
            {
                continue;
            }

            var demands = catalog.Targets.Values
                .Where(t => t.ProviderId == provider.Id)
                .Select(t => new ProbeDemand(t.Id, t.Probe.Interval, Urgent: false))
                .ToList();
            foreach (var (target, interval) in ProbeBudget.Allocate(budget, demands).Intervals)
            {
                _budgetBaseline[target] = interval;
            }
        }
    }

    public event Action<TargetId, TargetCadence>? Changed;

    /// <summary>The catalog's cadence within the provider's budget, before any adaptive decision.</summary>
    public TargetCadence Baseline(TargetDefinition target) =>
        new(_budgetBaseline.GetValueOrDefault(target.Id, target.Probe.Interval), target.Probe.Mode, target.Probe.Interval);

    public TargetCadence Current(TargetDefinition target) => _cadences.TryGetValue(target.Id, out var cadence) ? cadence : Baseline(target);

    public TimeSpan IntervalFor(TargetDefinition target) => Current(target).Interval;

    /// <summary>Records the cadence; true (and <see cref="Changed"/> raised) when it differs from the one known before.</summary>
    public bool Set(TargetDefinition target, TargetCadence cadence)
    {
        var previous = Current(target);
        if (cadence == Baseline(target))
        {
            _cadences.TryRemove(target.Id, out _);
        }
        else
        {
            _cadences[target.Id] = cadence;
        }

        if (previous == cadence)
        {
            return false;
        }

        Changed?.Invoke(target.Id, cadence);
        return true;
    }
}
