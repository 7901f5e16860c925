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
        AlertKind.ProviderIncident or AlertKind.RoutePanic => AlertSeverity.Critical,
        AlertKind.TargetOpen or AlertKind.Misconfiguration => AlertSeverity.Error,
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

    public static string NameOf(AlertAction action) => action == AlertAction.Trigger ? "trigger" : "resolve";
}
