namespace ControlPlane.Gateway.Degradation;

/// <summary>
/// A request's class decides what it gets while its route is degraded (served, held for the primary tier, or shed).
/// It comes from the <see cref="Header"/> header, else the client key's default, else the route's default.
/// </summary>
internal static class RequestClasses
{
    public const string Header = "x-request-class";

    public const string Critical = "critical";

    public const string Standard = "standard";

    public const string Background = "background";

    public const string NeedsPrimary = "needs-primary";

    /// <summary>The class the request asked for in its header, or null when it named none.</summary>
    public static string? Requested(HttpRequest request) =>
        request.Headers.TryGetValue(Header, out var values) && values.Count > 0 && !string.IsNullOrWhiteSpace(values[0])
            ? values[0]!.Trim().ToLowerInvariant()
            : null;

    /// <summary>True for the class that must keep its latency when a target is saturated.</summary>
    public static bool IsCritical(string? requestClass) => string.Equals(requestClass, Critical, StringComparison.Ordinal);
}
