using System.Diagnostics;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;
using ControlPlane.Core.Overrides;
using ControlPlane.Core.Routing;
using ControlPlane.Service.Alerts;
using ControlPlane.Service.Health;
using ControlPlane.Service.Leadership;
using ControlPlane.Service.Overrides;
using ControlPlane.Service.Publishing;
using ControlPlane.Service.Routing;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Breakers;

/// <summary>
/// The leader's loop: breaker state machine per target, then the routing table, committed with its audit trail.
/// Runs on exactly one replica (see <see cref="ILeadership"/>), every <see cref="BreakerOptions.EvaluationInterval"/>
/// and as soon as new evidence arrives.
/// </summary>
internal sealed partial class BreakerEvaluator(
    ILeadership leadership,
    ProviderCatalog catalog,
    HealthWindows windows,
    EvaluationStore store,
    OverrideStore overrides,
    EvidenceSignal signal,
    ProbeCadenceController cadence,
    OutboxSignal committed,
    BreakerStateView view,
    AlertMonitor alerts,
    RetryAfterPauses pauses,
    ReportingGateways gateways,
    IOptions<BreakerOptions> options,
    TimeProvider time,
    ILogger<BreakerEvaluator> logger) : LeaderService(leadership, time, logger)
{
    private readonly BreakerSettings _settings = options.Value.ToSettings();

    // Leadership lost: this replica's view is no longer current; readers fall back to the stored states.
    protected override void OnTermEnded() => view.Clear();

    protected override async Task LeadAsync(CancellationToken cancellationToken)
    {
        var term = new Term(await store.LoadStatesAsync(cancellationToken), await store.LatestTableAsync(cancellationToken));
        cadence.StartTerm();

        await alerts.StartTermAsync(cancellationToken);
        Log.TermStarted(Logger, term.States.Count, term.LastVersion ?? 0);
        var lastEvaluation = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            var gap = Time.GetElapsedTime(lastEvaluation);
            if (lastEvaluation != 0 && gap < options.Value.MinimumEvaluationGap)
            {
                await Task.Delay(options.Value.MinimumEvaluationGap - gap, Time, cancellationToken);
            }

            lastEvaluation = Time.GetTimestamp();
            await EvaluateOnceAsync(term, cancellationToken);
            await signal.WaitAsync(options.Value.EvaluationInterval, Time, cancellationToken);
        }
    }

    private async Task EvaluateOnceAsync(Term term, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = Time.GetUtcNow();
        var live = await LoadOverridesAsync(term, now, cancellationToken);

        var snapshots = new Dictionary<TargetId, BreakerSnapshot>(catalog.Targets.Count);
        var evaluations = new Dictionary<TargetId, BreakerEvaluation>(catalog.Targets.Count);
        foreach (var target in catalog.Targets.Values)
        {
            if (!term.States.TryGetValue(target.Id, out var state))
            {
                state = BreakerState.Initial(now);
                term.States[target.Id] = state;
            }

            var evaluation = BreakerStateMachine.Evaluate(state, windows.For(target.Id), _settings, target.Probe.LatencyObjective, now);
            if (evaluation.State != state)
            {
                term.States[target.Id] = evaluation.State;
                term.Dirty[target.Id] = (target, evaluation.State);
            }

            if (evaluation.Transition is { } transition)
            {
                term.PendingTransitions.Add((transition, target.ProviderId));
                BreakerMetrics.Transition(target, transition.To);
                Log.Transition(Logger, target.Id.Value, transition.From.ToString(), transition.To.ToString(), transition.Reason);
            }

            snapshots[target.Id] = evaluation.ToSnapshot();
            evaluations[target.Id] = evaluation;
            view.Update(target, evaluation, now);
        }

        cadence.Apply(term.States, options.Value.AdaptiveProbing);
        await cadence.SaveAsync(cancellationToken);

        var table = RoutingTableBuilder.Build(catalog, snapshots, live, now, pauses.ActiveAt(now), gateways.CountAt(now));
        NewTableVersion? newVersion = null;
        // A table equal to the last published one, or differing only by slow-start ramps that are over by now (the
        // breaker clears a ramp once it ends), decides nothing new: no version. After a takeover only the stored hash
        // is known until a table matches it; a ramp that ends before that costs one extra version.
        var unchanged = term.LastTable is { } published
            ? table.SameDecisionAs(published, now)
            : string.Equals(table.ContentHash, term.LastHash, StringComparison.Ordinal);
        if (unchanged)
        {
            // The base moves to the equivalent table: once a ramp has ended, the passes after this one compare exactly
            // (the cached canonical form) instead of rebuilding both tables' canonical forms on every pass.
            term.LastTable = table;
        }
        else
        {
            var changes = RoutingChanges.Between(term.LastTable, table);
            newVersion = new NewTableVersion(table.ContentHash, RoutingTableMapper.ToContract(table, catalog), RoutingTableMapper.ToContract(changes), now);
        }

        var commit = new EvaluationCommit(term.Dirty.Values.ToList(), term.PendingTransitions.ToList(), newVersion, alerts.Evaluate(evaluations, table, now));
        if (!commit.IsEmpty)
        {
            try
            {
                var version = await store.CommitAsync(commit, term.LastVersion, Leadership.Fence, cancellationToken);
                term.Dirty.Clear();
                term.PendingTransitions.Clear();
                alerts.Committed(commit.Alerts);
                if (version is { } v)
                {
                    term.LastVersion = v;
                    term.LastHash = table.ContentHash;
                    term.LastTable = table;
                    BreakerMetrics.TableVersion(v);
                    Log.NewVersion(Logger, v, newVersion!.Changes.Count);
                    committed.Notify();
                }
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or LeadershipUnprovenException)
            {
                // Postgres is away (or the lock cannot be proven): keep evaluating from memory; the pending changes are
                // committed once the lock is proven again, or dropped with the term if another replica took over.
                Log.CommitFailed(Logger, e.GetType().Name, term.PendingTransitions.Count);
            }
        }

        BreakerMetrics.Routes(table);
        BreakerMetrics.Evaluated(Stopwatch.GetElapsedTime(started));
    }

    private async Task<IReadOnlyList<Override>> LoadOverridesAsync(Term term, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            term.Overrides = (await overrides.LiveAsync(now, cancellationToken)).Select(o => o.ToDomain()).ToList();
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            Log.OverridesStale(Logger, e.GetType().Name);
        }

        // Expiry is re-checked against now, so an override ends on Time even while Postgres is unreachable.
        return term.Overrides.Where(o => o.IsActiveAt(now)).ToList();
    }

    /// <summary>What one leadership term carries between evaluations.</summary>
    private sealed class Term(Dictionary<TargetId, BreakerState> states, StoredTableVersion? latest)
    {
        public Dictionary<TargetId, BreakerState> States { get; } = states;

        public Dictionary<TargetId, (TargetDefinition, BreakerState)> Dirty { get; } = [];

        public List<(BreakerTransition, string)> PendingTransitions { get; } = [];

        public IReadOnlyList<Override> Overrides { get; set; } = [];

        public long? LastVersion { get; set; } = latest?.Version;

        public string? LastHash { get; set; } = latest?.ContentHash;

        public ComputedRoutingTable? LastTable { get; set; }
    }
}
