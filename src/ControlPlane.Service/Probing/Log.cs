using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Probing;

/// <summary>Probing log events. Stable EventIds (11xx); values are ids, outcomes and secret-free details only.</summary>
internal static partial class Log
{
    [LoggerMessage(1101, LogLevel.Debug, "Probe of {Target} ({Mode}) succeeded in {LatencyMs} ms (TTFT {TtftMs} ms)")]
    public static partial void ProbeSucceeded(ILogger logger, string target, string mode, double latencyMs, double? ttftMs);

    [LoggerMessage(1102, LogLevel.Information, "Probe of {Target} ({Mode}) was {Outcome} after {LatencyMs} ms: {Detail}")]
    public static partial void ProbeFailed(ILogger logger, string target, string mode, string outcome, double latencyMs, string? detail);

    [LoggerMessage(1103, LogLevel.Warning, "Probe of {Target} was refused as unauthorized ({Detail}): check the key and headers configured for provider {Provider}")]
    public static partial void ProbeUnauthorized(ILogger logger, string target, string provider, string? detail);

    [LoggerMessage(1104, LogLevel.Error, "Provider {Provider} has no usable API key: {Problem}")]
    public static partial void KeyUnavailable(ILogger logger, string provider, string problem);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Probe share changed: {Added} targets taken on, {Removed} handed over; this replica now probes {Owned}")]
    public static partial void ShareChanged(ILogger logger, int added, int removed, int owned);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Could not change the probe interval of {Target} ({Error})")]
    public static partial void RescheduleFailed(ILogger logger, string target, string error);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Probe job for {Target} is not in this replica's catalog; skipping")]
    public static partial void UnknownTarget(ILogger logger, string target);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Sample for {Target} could not be buffered for storage")]
    public static partial void SampleNotBuffered(ILogger logger, string target);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Could not read the probing replicas ({Error}); probing the share of the {Members} replicas last known")]
    public static partial void MembershipStale(ILogger logger, string error, int members);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Probing replicas readable again: {Members} live")]
    public static partial void MembershipResumed(ILogger logger, int members);
}
