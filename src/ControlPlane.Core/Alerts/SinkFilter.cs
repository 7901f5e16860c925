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

/// <summary>When to try a failed delivery again: exponential, capped, with jitter so many sinks do not retry in step.</summary>
public static class DeliveryBackoff
{
    /// <param name="attempts">Failed attempts so far (1 after the first failure).</param>
    /// <param name="random">A uniform value in [0, 1): the jitter, passed in so the decision stays pure.</param>
    public static TimeSpan Next(int attempts, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, exponent);
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);

        // "Equal jitter": never less than half the step, so retries still back off.
        return TimeSpan.FromMilliseconds((capped / 2) + (capped / 2 * Math.Clamp(random, 0, 1)));
    }
}
