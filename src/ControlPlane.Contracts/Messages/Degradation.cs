namespace ControlPlane.Contracts;

/// <summary>
/// A route's degradation profile as it stands now, computed by the control plane: the route's state and what each
/// request class gets in it. Every data plane obeys the same decision (see <see cref="RequestClassRules"/>).
/// </summary>
public sealed record DegradationEntry
{
    /// <summary>One of <see cref="DegradationStates"/>.</summary>
    public required string State { get; init; }

    /// <summary>The class of a request that names none (no header, no client-key default).</summary>
    public required string DefaultClass { get; init; }

    /// <summary>How long a held request waits for its class to be served before it is answered 503.</summary>
    public required long HoldTimeoutMs { get; init; }

    /// <summary>The status a shed request gets: 429 or 503.</summary>
    public required int ShedStatus { get; init; }

    /// <summary>
    /// When the primary tier may serve again (in panic: any target), i.e. the soonest end of an open breaker's
    /// break; the source of <c>Retry-After</c> for shed and timed-out held requests. Null when unknown (a trial is
    /// under way, or the route is normal).
    /// </summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>Every class the route knows, sorted by <see cref="ClassEntry.Class"/> (ordinal).</summary>
    public required IReadOnlyList<ClassEntry> Classes { get; init; }
}

/// <summary>What one request class gets in the route's current state.</summary>
public sealed record ClassEntry
{
    /// <summary>Class name, lower case, e.g. <c>critical</c>, <c>standard</c>, <c>background</c>, <c>needs-primary</c>.</summary>
    public required string Class { get; init; }

    /// <summary>One of <see cref="ClassActions"/>.</summary>
    public required string Action { get; init; }

    /// <summary>Indexes of the tiers whose targets may serve this class (ascending); the others are skipped for it.</summary>
    public required IReadOnlyList<int> Tiers { get; init; }
}

/// <summary>Values of <see cref="DegradationEntry.State"/>.</summary>
public static class DegradationStates
{
    /// <summary>The primary tier (tier 0) takes the traffic.</summary>
    public const string Normal = "normal";

    /// <summary>The primary tier is out; a lower tier takes the traffic.</summary>
    public const string Degraded = "degraded";

    /// <summary>No target is eligible; the panic policy decides.</summary>
    public const string Panic = "panic";
}

/// <summary>Values of <see cref="ClassEntry.Action"/>.</summary>
public static class ClassActions
{
    /// <summary>Route as usual, among the class's tiers only.</summary>
    public const string Serve = "serve";

    /// <summary>Wait (bounded queue, up to <see cref="DegradationEntry.HoldTimeoutMs"/>) until the class is served again.</summary>
    public const string Hold = "hold";

    /// <summary>Refuse at once with <see cref="DegradationEntry.ShedStatus"/> and <c>Retry-After</c>.</summary>
    public const string Shed = "shed";
}

/// <summary>The one rule data planes use to read a route's degradation profile.</summary>
public static class RequestClassRules
{
    /// <summary>Longest class name: names travel in headers and metric labels.</summary>
    public const int MaxNameLength = 32;

    /// <summary>A valid class name: 1–32 lower-case ASCII letters, digits and '-'.</summary>
    public static bool IsValidName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The class a request belongs to: the one it asked for, else the route's default. A route without a profile
    /// has no classes: null.
    /// </summary>
    public static string? Resolve(RouteEntry route, string? requested)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.Degradation is { } profile ? requested ?? profile.DefaultClass : null;
    }

    /// <summary>
    /// What <paramref name="requestClass"/> gets on <paramref name="route"/> now; null when the route has no profile
    /// (everything is served as usual) or does not know the class (the data plane refuses the request as invalid).
    /// </summary>
    public static ClassEntry? For(RouteEntry route, string requestClass)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (route.Degradation is not { } profile)
        {
            return null;
        }

        foreach (var entry in profile.Classes)
        {
            if (string.Equals(entry.Class, requestClass, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>
    /// Seconds for <c>Retry-After</c> at <paramref name="now"/>: until <see cref="DegradationEntry.RetryAt"/>, rounded
    /// up, at least 1; 1 when the time is unknown or past.
    /// </summary>
    public static int RetryAfterSeconds(DegradationEntry profile, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.RetryAt is not { } at || at <= now)
        {
            return 1;
        }

        return (int)Math.Clamp(Math.Ceiling((at - now).TotalSeconds), 1, int.MaxValue);
    }
}
