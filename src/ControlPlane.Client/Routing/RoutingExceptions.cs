namespace ControlPlane.Client;

/// <summary>Base of the selection errors: the caller cannot route this request from the table.</summary>
public abstract class RoutingSelectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected RoutingSelectionException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// No routing table has been received from the control plane nor loaded from the cache file yet. Typical
/// handling: fail the request (503), or wait with <see cref="IRoutingTableSource.WaitForVersionAsync"/> at start-up.
/// </summary>
public sealed class NoRoutingTableException : RoutingSelectionException
{
    /// <summary>Creates the exception.</summary>
    public NoRoutingTableException()
        : base("No routing table yet: none received from the control plane and none cached.")
    {
    }
}

/// <summary>The current table has no such route (a misspelt model alias, or a route the catalog removed).</summary>
public sealed class UnknownRouteException : RoutingSelectionException
{
    /// <summary>Creates the exception.</summary>
    public UnknownRouteException(string route, long version)
        : base($"Route '{route}' is not in routing table version {version}.")
    {
        Route = route;
        Version = version;
    }

    /// <summary>The route asked for.</summary>
    public string Route { get; }

    /// <summary>Version of the table consulted.</summary>
    public long Version { get; }
}

/// <summary>The route exists but has no target to send to: every target is ineligible and the policy is fail-closed.</summary>
public sealed class RouteUnavailableException : RoutingSelectionException
{
    /// <summary>Creates the exception.</summary>
    public RouteUnavailableException(string route, string reason, long version)
        : base($"Route '{route}' has no target (table version {version}): {reason}")
    {
        Route = route;
        Reason = reason;
        Version = version;
    }

    /// <summary>The route asked for.</summary>
    public string Route { get; }

    /// <summary>The control plane's panic reason.</summary>
    public string Reason { get; }

    /// <summary>Version of the table consulted.</summary>
    public long Version { get; }
}
