using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Health;

/// <summary>Health view events (15xx). EventIds are stable and unique across the service (a test holds them to it).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "Sample feed could not read from Postgres ({Error}); retrying")]
    public static partial void FeedFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Debug, Message = "Ignored a stale traffic report from {Reporter} (window ended {WindowEnd})")]
    public static partial void StaleTrafficReport(ILogger logger, string reporter, DateTimeOffset windowEnd);
}
