using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Alerts;

/// <summary>Alert events (19xx). EventIds are stable and unique across the service (a test holds them to it).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "Alert tracking started with {Active} active alerts")]
    public static partial void TermStarted(ILogger logger, int active);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Warning, Message = "Alert {Action} {Key}: {Summary}")]
    public static partial void Raised(ILogger logger, string action, string key, string summary);

    [LoggerMessage(EventId = 1911, Level = LogLevel.Information, Message = "Alert {Key} ({Action}) delivered to {Sink} after {Attempts} attempt(s)")]
    public static partial void Delivered(ILogger logger, string sink, string key, string action, int attempts);

    [LoggerMessage(EventId = 1912, Level = LogLevel.Warning, Message = "Delivering alert {Key} to {Sink} failed ({Error}); retrying in {Seconds:0.0}s")]
    public static partial void Retrying(ILogger logger, string sink, string key, string error, double seconds);

    [LoggerMessage(EventId = 1913, Level = LogLevel.Error, Message = "Sink {Sink} rejected alert {Key} ({Error}); not retried")]
    public static partial void Rejected(ILogger logger, string sink, string key, string error);

    [LoggerMessage(EventId = 1914, Level = LogLevel.Error, Message = "Gave up delivering alert {Key} to {Sink} after {Attempts} attempts")]
    public static partial void GaveUp(ILogger logger, string sink, string key, int attempts);

    [LoggerMessage(EventId = 1915, Level = LogLevel.Warning, Message = "Alert sender for {Sink} failed ({Error}); retrying")]
    public static partial void SinkLoopFailed(ILogger logger, string sink, string error);

    [LoggerMessage(EventId = 1921, Level = LogLevel.Warning, Message = "Stale subscriber check failed ({Error})")]
    public static partial void StaleCheckFailed(ILogger logger, string error);
}
