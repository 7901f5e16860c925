namespace ControlPlane.Contracts;

/// <summary>
/// A route's exact-match response cache: a data plane keeps successful answers to identical requests for
/// <see cref="TtlMs"/> and replays them, when every target failed (<see cref="CacheModes.StaleIfError"/>) or on every
/// repeat (<see cref="CacheModes.Always"/>). The memory bound is each data plane's own configuration.
/// </summary>
/// <remarks>
/// It travels in the signed table so every gateway caches alike. A request with a sampling temperature other than 0
/// (absent counts as the API's default, 1) is cached only under <see cref="AllowTemperature"/>; an answer is
/// replayed only to the client key that received it unless <see cref="ShareAcrossKeys"/>.
/// </remarks>
public sealed record RouteCache
{
    /// <summary>One of <see cref="CacheModes"/>.</summary>
    public required string Mode { get; init; }

    /// <summary>How long a stored answer may be served, in milliseconds (at least 1).</summary>
    public required long TtlMs { get; init; }

    /// <summary>Also cache requests sampled with a temperature above 0 (or none, which means the API's default).</summary>
    public required bool AllowTemperature { get; init; }

    /// <summary>Serve an answer to any client key, not only the one that received it.</summary>
    public required bool ShareAcrossKeys { get; init; }
}

/// <summary>Values of <see cref="RouteCache.Mode"/>.</summary>
public static class CacheModes
{
    /// <summary>Serve a stored answer only when every eligible target of the route failed.</summary>
    public const string StaleIfError = "stale-if-error";

    /// <summary>Serve a stored answer before trying any target; also when every target failed.</summary>
    public const string Always = "always";

    /// <summary>Every mode.</summary>
    public static IReadOnlyList<string> All { get; } = [StaleIfError, Always];
}
