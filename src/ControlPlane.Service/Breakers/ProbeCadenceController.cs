using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Health;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Breakers;

/// <summary>
/// Adaptive probing and probe budgets, on the leader: after each evaluation, picks the cadence each target's breaker
/// state and traffic call for (<see cref="ProbeCadence.Decide"/>), then fits each provider's targets into its
/// <c>ProbeBudgetPerMinute</c> (<see cref="ProbeBudget.Allocate"/>). The leader decides for the whole fleet and each
/// target is probed by one replica, so the budget is fleet-wide. A change takes effect at once here (when this replica
/// probes the target) and is saved to <see cref="ProbeCadenceStore"/>, from which the replica that does probe it picks
/// it up.
/// </summary>
internal sealed partial class ProbeCadenceController(
    ProviderCatalog catalog, ProbeCadences cadences, ProbeCadenceStore store, PassiveCoverage passive, TimeProvider time, ILogger<ProbeCadenceController> logger)
{
    private static readonly ProbeCadenceSettings Settings = ProbeCadenceSettings.Default;

    private readonly Dictionary<TargetId, (TargetDefinition Target, TargetCadence Cadence)> _unsaved = [];
    private readonly Dictionary<string, List<ProbeDemand>> _demands = [];

    /// <summary>A new term starts from what the replicas already run at (<see cref="ProbeCadences"/> is kept current).</summary>
    public void StartTerm() => _unsaved.Clear();

    /// <param name="adaptive">Off: every target keeps its catalog cadence (still within its provider's budget).</param>
    public void Apply(IReadOnlyDictionary<TargetId, BreakerState> states, bool adaptive)
    {
        var now = time.GetUtcNow();
        var decisions = new Dictionary<TargetId, ProbeCadenceDecision>(catalog.Targets.Count);
        foreach (var list in _demands.Values)
        {
            list.Clear();
        }

        foreach (var target in catalog.Targets.Values)
        {
            var state = states.TryGetValue(target.Id, out var s) ? s : BreakerState.Initial(now);
            var decision = adaptive
                ? ProbeCadence.Decide(state, target.Probe, Settings, passive.RecentCount(target.Id, now, Settings.EffectiveCoverageHorizon), cadences.Current(target).Suppressed)
                : new ProbeCadenceDecision(target.Probe.Interval, target.Probe.Mode, Urgent: ProbeCadence.IsUrgent(state));
            decisions[target.Id] = decision;
            if (catalog.Providers[target.ProviderId].ProbeBudgetPerMinute is not null)
            {
                (_demands.TryGetValue(target.ProviderId, out var list) ? list : _demands[target.ProviderId] = []).Add(new ProbeDemand(target.Id, decision.Interval, decision.Urgent));
            }
        }

        var allocated = new Dictionary<TargetId, TimeSpan>();
        foreach (var (providerId, demands) in _demands)
        {
            var budget = catalog.Providers[providerId].ProbeBudgetPerMinute!.Value;
            var allocation = ProbeBudget.Allocate(budget, demands);
            ProbeBudgetMetrics.Observe(providerId, budget, allocation);
            foreach (var (id, interval) in allocation.Intervals)
            {
                allocated[id] = interval;
            }
        }

        var suppressed = catalog.Providers.Keys.ToDictionary(p => p, _ => 0, StringComparer.Ordinal);
        foreach (var target in catalog.Targets.Values)
        {
            var decision = decisions[target.Id];
            suppressed[target.ProviderId] += decision.Suppressed ? 1 : 0;
            var cadence = new TargetCadence(allocated.GetValueOrDefault(target.Id, decision.Interval), decision.Mode, decision.Interval, decision.Suppressed);
            if (cadences.Set(target, cadence))
            {
                _unsaved[target.Id] = (target, cadence);
                var circuit = states.TryGetValue(target.Id, out var current) ? current.State : CircuitState.Closed;
                Log.Cadence(logger, target.Id.Value, cadence.Interval.TotalSeconds, cadence.Mode, circuit, cadence.BudgetLimited);
            }
        }

        foreach (var (providerId, count) in suppressed)
        {
            ProbeBudgetMetrics.Suppressed(providerId, count);
        }
    }

    /// <summary>Saves the changes since the last save; kept and retried after the next evaluation when Postgres is away.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken)
    {
        if (_unsaved.Count == 0)
        {
            return;
        }

        try
        {
            await store.SaveAsync(_unsaved.Values.ToList(), time.GetUtcNow(), cancellationToken);
            _unsaved.Clear();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            Log.CadenceNotSaved(logger, _unsaved.Count, e.GetType().Name);
        }
    }
}
