using ControlPlane.Core.Alerts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Alerts;

/// <summary>
/// The leader's alert bookkeeping, driven by the breaker evaluator: each evaluation reports what holds, the tracker
/// decides triggers and resolves, and the resulting records ride along in the evaluation's commit. Records stay
/// pending here until that commit succeeds, so an alert raised while Postgres is away is committed when it returns.
/// </summary>
public sealed partial class AlertMonitor(
    ProviderCatalog catalog,
    AlertSinkRegistry sinks,
    AlertStore store,
    AlertSignal sent,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertMonitor> logger)
{
    private readonly AlertTracker _tracker = new(options.Value.ToSettings());
    private readonly List<AlertRecord> _pending = [];
    private DateTimeOffset _observingSince;
    private volatile IReadOnlyList<(string SubscriberId, string Reason)> _staleSubscribers = [];
    private volatile IReadOnlyList<(string SubscriberId, string Reason)> _unknownTables = [];

    /// <summary>Records raised but not yet committed.</summary>
    public IReadOnlyList<AlertRecord> Pending => _pending.ToList();

    /// <summary>A new term: start from the stored state so nothing active is re-sent and flapping history survives.</summary>
    public async Task StartTermAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        _tracker.Restore(await store.TrackerStateAsync(now - options.Value.FlapPeriod, cancellationToken));
        _pending.Clear();
        _observingSince = now;
        var active = _tracker.Keys.Count(k => k.Active);
        Log.TermStarted(logger, active);
    }

    /// <summary>Fed by the stale-subscriber check (any replica; only the leader's evaluation reads it).</summary>
    public void UpdateStaleSubscribers(IReadOnlyList<(string SubscriberId, string Reason)> stale) => _staleSubscribers = stale;

    /// <summary>Fed by the same fleet check: live subscribers holding a table this control plane never committed.</summary>
    public void UpdateUnknownTables(IReadOnlyList<(string SubscriberId, string Reason)> unknown) => _unknownTables = unknown;

    /// <summary>One evaluation's view; returns every record still to commit (this evaluation's and earlier uncommitted ones).</summary>
    public IReadOnlyList<AlertRecord> Evaluate(IReadOnlyDictionary<TargetId, BreakerEvaluation> evaluations, ComputedRoutingTable table, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(evaluations);
        var inputs = new AlertInputs(
            catalog,
            evaluations.ToDictionary(kv => kv.Key, kv => kv.Value.State.State),
            evaluations.Where(kv => kv.Value.Signals.Count > 0).ToDictionary(kv => kv.Key, kv => kv.Value.Signals),
            evaluations.Where(kv => kv.Value.Stats.LastSampleAt is not null).ToDictionary(kv => kv.Key, kv => kv.Value.Stats.LastSampleAt!.Value),
            _observingSince,
            table,
            _staleSubscribers,
            now,
            evaluations.ToDictionary(kv => kv.Key, kv => kv.Value.State.Since),
            _unknownTables);

        foreach (var alertEvent in _tracker.Evaluate(AlertConditions.From(inputs, options.Value.ProbeStallIntervals), now))
        {
            _pending.Add(new AlertRecord(Guid.CreateVersion7(now), alertEvent, sinks.For(alertEvent.Alert)));
            Log.Raised(logger, AlertKinds.NameOf(alertEvent.Action), alertEvent.Alert.Key, alertEvent.Alert.Summary);
        }

        return Pending;
    }

    /// <summary>The evaluation commit that carried <paramref name="records"/> succeeded.</summary>
    public void Committed(IReadOnlyList<AlertRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var ids = records.Select(r => r.Id).ToHashSet();
        _pending.RemoveAll(r => ids.Contains(r.Id));
        foreach (var record in records.Where(r => r.Event.Action == AlertAction.Trigger))
        {
            AlertMetrics.Raised(record.Event.Alert);
        }

        sent.Notify();
    }
}

/// <summary>
/// Wakes every sink's sender when new deliveries were committed: a broadcast, unlike <see cref="Hosting.WakeSignal"/>,
/// because each sink has its own queue and loop.
/// </summary>
public sealed class AlertSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify()
    {
        TaskCompletionSource pulse;
        lock (_gate)
        {
            pulse = _pulse;
            _pulse = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        pulse.TrySetResult();
    }

    /// <summary>Completes on the next <see cref="Notify"/> or after <paramref name="timeout"/> on the injected clock.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        Task pulse;
        lock (_gate)
        {
            pulse = _pulse.Task;
        }

        try
        {
            await pulse.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Nothing new: carry on at the polling cadence.
        }
    }
}
