using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Subscribers;

/// <summary>Subscriber events (17xx). EventIds are stable and unique across the service (a test holds them to it).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Convergence metrics could not be computed ({Error})")]
    public static partial void ConvergenceFailed(ILogger logger, string error);
}
