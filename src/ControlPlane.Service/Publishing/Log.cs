using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Publishing;

/// <summary>Publishing events (16xx). EventIds are stable and unique across the service (a test holds them to it).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1601, Level = LogLevel.Debug, Message = "Routing table version {Version} published")]
    public static partial void Published(ILogger logger, long version);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Publishing routing tables failed ({Error}); retrying in {Seconds:0.0}s")]
    public static partial void PublishFailed(ILogger logger, string error, double seconds);
}
