namespace ControlPlane.Gateway.Caching;

/// <summary>The response cache's log messages (event ids 2101–2199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2101, Level = LogLevel.Information,
        Message = "Route {Route}: every target failed ({Attempts} attempts); answered from the cache (stored at {StoredAt:O})")]
    public static partial void ServedStale(ILogger logger, string route, int attempts, DateTimeOffset storedAt);
}
