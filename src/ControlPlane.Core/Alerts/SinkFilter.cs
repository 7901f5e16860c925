namespace ControlPlane.Core.Alerts;

/// <summary>
/// Which alerts a sink receives: at least <see cref="MinimumSeverity"/>, and when providers, routes or kinds are named,
/// only alerts about one of them (an alert about a provider matches a provider filter, one about a route a route filter).
/// </summary>
public sealed record SinkFilter(
    AlertSeverity MinimumSeverity = AlertSeverity.Warning,
    IReadOnlySet<string>? Providers = null,
    IReadOnlySet<string>? Routes = null,
    IReadOnlySet<AlertKind>? Kinds = null)
{
    public static SinkFilter All { get; } = new(AlertSeverity.Info);

    public bool Matches(AlertCondition alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (alert.Severity < MinimumSeverity)
        {
            return false;
        }

        if (Kinds is { Count: > 0 } && !Kinds.Contains(alert.Kind))
        {
            return false;
        }

        var byProvider = Providers is { Count: > 0 };
        var byRoute = Routes is { Count: > 0 };
        if (!byProvider && !byRoute)
        {
            return true;
        }

        return (byProvider && alert.ProviderId is { } provider && Providers!.Contains(provider))
            || (byRoute && alert.RouteId is { } route && Routes!.Contains(route));
    }
}
