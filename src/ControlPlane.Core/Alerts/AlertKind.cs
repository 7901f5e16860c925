namespace ControlPlane.Core.Alerts;

/// <summary>What an alert is about. Each kind has one severity and a resolve for every trigger.</summary>
public enum AlertKind
{
    /// <summary>Several targets of one provider failing together (<c>provider:*:incident</c>).</summary>
    ProviderIncident,

    /// <summary>A route with no eligible target: its panic policy is in force (<c>route:&lt;id&gt;:panic</c>).</summary>
    RoutePanic,

    /// <summary>A target's breaker is open or on trial (<c>provider:model:open</c>).</summary>
    TargetOpen,

    /// <summary>Auth failures or bad requests: a key or a probe definition is wrong (<c>provider:model:misconfiguration</c>).</summary>
    Misconfiguration,

    /// <summary>Spend cap or billing quota reached (<c>provider:model:quota</c>).</summary>
    QuotaExhausted,

    /// <summary>A live subscriber stuck on an old routing table version (<c>subscriber:&lt;id&gt;:stale</c>).</summary>
    SubscriberStale,

    /// <summary>No sample for a target for several probe intervals (<c>provider:model:probes-stalled</c>).</summary>
    ProbesStalled,

    /// <summary>
    /// A subscriber reports a table version the control plane never committed, or a committed version with other
    /// content: a table signed with our key but not by us is in the fleet (possible key compromise)
    /// (<c>fleet:unknown-table</c>).
    /// </summary>
    UnknownTable,

    /// <summary>
    /// A route sheds a request class (its degradation profile refuses it at once while the primary tier is out)
    /// (<c>route:&lt;id&gt;:shedding</c>). One alert per route for as long as any class is shed.
    /// </summary>
    RouteShedding,

    /// <summary>Fired by an operator to check a sink end to end; never deduplicated.</summary>
    Test,
}

/// <summary>Ordered: a sink's minimum severity lets everything at or above it through.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Error,
    Critical,
}

public enum AlertAction
{
    Trigger,
    Resolve,
}

public static class AlertKinds
{
    public static AlertSeverity SeverityOf(AlertKind kind) => kind switch
    {
        AlertKind.ProviderIncident or AlertKind.RoutePanic or AlertKind.UnknownTable => AlertSeverity.Critical,
        AlertKind.TargetOpen or AlertKind.Misconfiguration or AlertKind.RouteShedding => AlertSeverity.Error,
        AlertKind.QuotaExhausted or AlertKind.SubscriberStale or AlertKind.ProbesStalled => AlertSeverity.Warning,
        _ => AlertSeverity.Info,
    };

    /// <summary>Stable wire name: the last segment of the dedup key and the <c>kind</c> metric label.</summary>
    public static string NameOf(AlertKind kind) => kind switch
    {
        AlertKind.ProviderIncident => "incident",
        AlertKind.RoutePanic => "panic",
        AlertKind.TargetOpen => "open",
        AlertKind.Misconfiguration => "misconfiguration",
        AlertKind.QuotaExhausted => "quota",
        AlertKind.SubscriberStale => "stale",
        AlertKind.ProbesStalled => "probes-stalled",
        AlertKind.UnknownTable => "unknown-table",
        AlertKind.RouteShedding => "shedding",
        _ => "test",
    };

    public static bool TryParse(string name, out AlertKind kind)
    {
        foreach (var candidate in Enum.GetValues<AlertKind>())
        {
            if (string.Equals(NameOf(candidate), name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(candidate.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    public static string NameOf(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => "critical",
        AlertSeverity.Error => "error",
        AlertSeverity.Warning => "warning",
        _ => "info",
    };

    /// <summary>
    /// What a resolve says: the condition is over. A resolve must never repeat its trigger's words ("breaker is open"
    /// in a message sent after it closed), so the summary comes from the kind, naming the subject when there is one.
    /// </summary>
    public static string ResolveSummaryOf(AlertCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var subject = condition switch
        {
            { RouteId: { } route } => $"route {route}",
            { ProviderId: { } provider, Model: { } model } => $"{provider}/{model}",
            { ProviderId: { } provider } => $"provider {provider}",
            _ => null,
        };
        var what = condition.Kind switch
        {
            AlertKind.ProviderIncident => "incident over: the provider's targets are no longer failing together",
            AlertKind.RoutePanic => "panic over: the route has an eligible target again",
            AlertKind.TargetOpen => "breaker closed",
            AlertKind.Misconfiguration => "misconfiguration cleared: auth and requests succeed again",
            AlertKind.QuotaExhausted => "quota available again",
            AlertKind.SubscriberStale => "subscriber caught up or gone",
            AlertKind.ProbesStalled => "probe samples arriving again",
            AlertKind.UnknownTable => "no subscriber reports an unknown table any more",
            AlertKind.RouteShedding => "shedding over: every request class is served or held again",
            _ => "resolved",
        };
        return subject is null ? $"Resolved: {what}" : $"Resolved: {what} ({subject})";
    }

    public static string NameOf(AlertAction action) => action == AlertAction.Trigger ? "trigger" : "resolve";
}
