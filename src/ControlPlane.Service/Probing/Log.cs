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
}
