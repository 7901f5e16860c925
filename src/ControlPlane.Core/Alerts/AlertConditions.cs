using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;

namespace ControlPlane.Core.Alerts;

/// <summary>Everything one evaluation knows that alerting cares about.</summary>
/// <param name="LastSampleAt">Newest observation per target, if any.</param>
/// <param name="ObservingSince">When this replica started watching (a new leader has no samples yet).</param>
/// <param name="StaleSubscribers">Subscriber id and why it counts as stale.</param>
/// <param name="StateSince">When each target's breaker entered its current state.</param>
/// <param name="UnknownTables">Live subscribers holding a table the control plane never committed, and what they hold.</param>
public sealed record AlertInputs(
    ProviderCatalog Catalog,
    IReadOnlyDictionary<TargetId, CircuitState> States,
    IReadOnlyDictionary<TargetId, IReadOnlyList<BreakerSignal>> Signals,
    IReadOnlyDictionary<TargetId, DateTimeOffset> LastSampleAt,
    DateTimeOffset ObservingSince,
    ComputedRoutingTable? Table,
    IReadOnlyList<(string SubscriberId, string Reason)> StaleSubscribers,
    DateTimeOffset Now,
    IReadOnlyDictionary<TargetId, DateTimeOffset>? StateSince = null,
    IReadOnlyList<(string SubscriberId, string Reason)>? UnknownTables = null);

/// <summary>Derives the conditions that hold right now from breaker states, signals, the table and the fleet.</summary>
public static class AlertConditions
{
    /// <summary>Probes count as stalled after this many intervals without a sample.</summary>
    public const int DefaultStallIntervals = 3;

    public static IReadOnlyList<AlertCondition> From(AlertInputs inputs, int stallIntervals = DefaultStallIntervals, ProviderIncidentSettings? incidents = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var conditions = new List<AlertCondition>();

        foreach (var incident in ProviderIncidentDetector.DetectAll(inputs.Catalog, inputs.States, incidents))
        {
            conditions.Add(AlertCondition.Incident(incident.ProviderId, incident.Reason));
        }

        foreach (var target in inputs.Catalog.Targets.Values.OrderBy(t => t.Id))
        {
            var state = inputs.States.TryGetValue(target.Id, out var s) ? s : CircuitState.Closed;
            if (state is CircuitState.Open or CircuitState.HalfOpen)
            {
                conditions.Add(AlertCondition.TargetOpen(target, $"{target.Id} breaker is {(state == CircuitState.Open ? "open" : "half-open (on trial)")}"));
            }

            if (inputs.Signals.TryGetValue(target.Id, out var signals))
            {
                AddSignal(conditions, target, signals, BreakerSignalKind.Misconfiguration, AlertKind.Misconfiguration);
                AddSignal(conditions, target, signals, BreakerSignalKind.QuotaExhausted, AlertKind.QuotaExhausted);
            }

            // An open breaker pauses probing until its break ends: silence then is by design, and the clock restarts
            // when the trial begins.
            var since = Latest(
                inputs.ObservingSince,
                inputs.LastSampleAt.TryGetValue(target.Id, out var last) ? last : null,
                inputs.StateSince is not null && inputs.StateSince.TryGetValue(target.Id, out var entered) ? entered : null);
            var limit = target.Probe.Interval * stallIntervals;
            if (state != CircuitState.Open && inputs.Now - since > limit)
            {
                conditions.Add(AlertCondition.ProbesStalled(target,
                    $"no sample for {target.Id} for more than {limit.TotalSeconds:0.#} s ({stallIntervals} probe intervals)"));
            }
        }

        foreach (var route in inputs.Table?.Routes ?? [])
        {
            if (route.Panic)
            {
                conditions.Add(AlertCondition.Panic(route.RouteId, $"route {route.RouteId} is in panic: {route.PanicReason}"));
            }

            if (route.Degradation is { } degradation && degradation.Classes.Any(c => c.Action == ClassActions.Shed))
            {
                conditions.Add(AlertCondition.Shedding(route.RouteId,
                    $"route {route.RouteId} is shedding requests ({RoutingChanges.DegradationSummary(route)})"));
            }
        }

        foreach (var (subscriber, reason) in inputs.StaleSubscribers)
        {
            conditions.Add(AlertCondition.StaleSubscriber(subscriber, $"subscriber {subscriber} is stale: {reason}"));
        }

        // One fleet-wide alert, not one per subscriber: a foreign table spreads to every subscriber at once.
        if (inputs.UnknownTables is { Count: > 0 } unknown)
        {
            var first = unknown.OrderBy(u => u.SubscriberId, StringComparer.Ordinal).First();
            conditions.Add(AlertCondition.UnknownTable(
                $"unknown table in the fleet (possible signing key compromise): {unknown.Count} subscriber(s) hold a table " +
                $"this control plane never committed; e.g. {first.SubscriberId}: {first.Reason}"));
        }

        return conditions;
    }

    private static DateTimeOffset Latest(DateTimeOffset first, DateTimeOffset? second, DateTimeOffset? third)
    {
        var latest = first;
        if (second > latest)
        {
            latest = second.Value;
        }

        if (third > latest)
        {
            latest = third.Value;
        }

        return latest;
    }

    private static void AddSignal(List<AlertCondition> conditions, TargetDefinition target, IReadOnlyList<BreakerSignal> signals, BreakerSignalKind signal, AlertKind kind)
    {
        var details = signals.Where(s => s.Kind == signal).Select(s => s.Detail).ToList();
        if (details.Count > 0)
        {
            conditions.Add(AlertCondition.ForTarget(target, kind, $"{target.Id}: {string.Join("; ", details)}"));
        }
    }
}
