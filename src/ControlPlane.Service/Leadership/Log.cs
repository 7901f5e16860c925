using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Leadership;

/// <summary>Leadership events (12xx). EventIds are stable and unique across the service (a test holds them to it).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "This replica is now the leader (evaluation, publishing, alerts)")]
    public static partial void BecameLeader(ILogger logger);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "This replica is no longer the leader")]
    public static partial void SteppedDown(ILogger logger);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Leader election connection failed ({Error}); retrying")]
    public static partial void ConnectionLost(ILogger logger, string error);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Warning, Message = "Leader lock cannot be proven; leading from memory for up to {Seconds}s, committing nothing, until Postgres answers")]
    public static partial void LeadingFromMemory(ILogger logger, double seconds);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information, Message = "Leader lock taken again; committing resumes")]
    public static partial void LeadershipProvenAgain(ILogger logger);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Error, Message = "{Service} failed while leading; restarting it")]
    public static partial void TermFailed(ILogger logger, string service, Exception exception);
}
