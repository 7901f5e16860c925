using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Health;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Breakers;

/// <summary>
/// Adaptive probing, on the leader: picks the interval each target's breaker state calls for. The change takes effect
/// at once here (when this replica probes the target) and is saved to <see cref="ProbeCadenceStore"/>, from which the
/// replica that does probe it picks it up.
/// </summary>
internal sealed partial class ProbeCadenceController(
    ProbeIntervals intervals, ProbeCadenceStore store, PassiveCoverage passive, TimeProvider time, ILogger<ProbeCadenceController> logger)
{
    private readonly Dictionary<TargetId, (TargetDefinition Target, TimeSpan Interval)> _unsaved = [];

    /// <summary>A new term starts from what the replicas already run at (<see cref="ProbeIntervals"/> is kept current).</summary>
    public void StartTerm() => _unsaved.Clear();

    public void Apply(TargetDefinition target, BreakerState state)
    {
        // Real traffic already tells us how a covered target is doing: probe it less (and pay less).
        var desired = ProbeCadence.IntervalFor(state, target.Probe, passiveObservations: passive.RecentCount(target.Id, time.GetUtcNow()));
        if (intervals.Set(target, desired))
        {
            _unsaved[target.Id] = (target, desired);
            Log.Cadence(logger, target.Id.Value, desired.TotalSeconds, state.State);
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
