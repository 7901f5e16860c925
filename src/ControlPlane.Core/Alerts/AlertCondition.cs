using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Alerts;

/// <summary>
/// Something that is true right now and deserves an alert while it stays true. <see cref="Key"/> is the stable
/// identity (also PagerDuty's <c>dedup_key</c>): the same problem always has the same key, so a trigger while already
/// triggered is recognised as a repeat.
/// </summary>
/// <param name="GroupKey">
/// The key of a broader condition that covers this one: while that is true this one is not sent (a provider incident
/// covers its per-model alerts).
/// </param>
public sealed record AlertCondition(
    string Key,
    AlertKind Kind,
    string Summary,
    string? ProviderId = null,
    string? Model = null,
    string? RouteId = null,
    string? GroupKey = null)
{
    public AlertSeverity Severity => AlertKinds.SeverityOf(Kind);

    public static AlertCondition TargetOpen(TargetDefinition target, string summary) =>
        ForTarget(target, AlertKind.TargetOpen, summary) with { GroupKey = AlertKeys.Provider(target.ProviderId, AlertKind.ProviderIncident) };

    public static AlertCondition ProbesStalled(TargetDefinition target, string summary) =>
        ForTarget(target, AlertKind.ProbesStalled, summary) with { GroupKey = AlertKeys.Provider(target.ProviderId, AlertKind.ProviderIncident) };

    public static AlertCondition ForTarget(TargetDefinition target, AlertKind kind, string summary)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new(AlertKeys.Target(target.ProviderId, target.Model, kind), kind, summary, target.ProviderId, target.Model);
    }

    public static AlertCondition Incident(string providerId, string summary) =>
        new(AlertKeys.Provider(providerId, AlertKind.ProviderIncident), AlertKind.ProviderIncident, summary, providerId);

    public static AlertCondition Panic(string routeId, string summary) =>
        new(AlertKeys.Route(routeId), AlertKind.RoutePanic, summary, RouteId: routeId);

    /// <summary>Grouped under the route's panic: a route in panic that sheds needs one page, not two.</summary>
    public static AlertCondition Shedding(string routeId, string summary) =>
        new(AlertKeys.Route(routeId, AlertKind.RouteShedding), AlertKind.RouteShedding, summary, RouteId: routeId, GroupKey: AlertKeys.Route(routeId));

    /// <summary>One fleet-wide key: the first report of a foreign table pages; more reports keep the same alert open.</summary>
    public static AlertCondition UnknownTable(string summary) =>
        new(AlertKeys.UnknownTable, AlertKind.UnknownTable, summary);

    public static AlertCondition StaleSubscriber(string subscriberId, string summary) =>
        new(AlertKeys.Subscriber(subscriberId), AlertKind.SubscriberStale, summary);
}

/// <summary>Dedup keys: <c>provider:model:condition</c>, <c>provider:*:condition</c>, <c>route:&lt;id&gt;:panic</c>.</summary>
public static class AlertKeys
{
    public static string Target(string providerId, string model, AlertKind kind) => $"{providerId}:{model}:{AlertKinds.NameOf(kind)}";

    public static string Provider(string providerId, AlertKind kind) => $"{providerId}:*:{AlertKinds.NameOf(kind)}";

    public static string Route(string routeId) => $"route:{routeId}:panic";

    public static string Route(string routeId, AlertKind kind) => $"route:{routeId}:{AlertKinds.NameOf(kind)}";

    public static string Subscriber(string subscriberId) => $"subscriber:{subscriberId}:stale";

    public const string UnknownTable = "fleet:unknown-table";
}
