using Microsoft.Extensions.Logging;

namespace ControlPlane.Client.Subscription;

/// <summary>
/// The subscription's log messages, all under the <see cref="ControlPlaneClientService"/> category so existing log
/// filters keep working after the split into cache, snapshot, subscription and report types. EventIds are stable.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Loaded routing table version {Version} from cache file {Path}")]
    public static partial void CacheLoaded(ILogger logger, long version, string path);

    [LoggerMessage(2, LogLevel.Warning, "Ignored cache file {Path}: {Reason} {Detail}")]
    public static partial void CacheRejected(ILogger logger, string path, string reason, string? detail);

    [LoggerMessage(3, LogLevel.Warning, "Cannot read cache file {Path}")]
    public static partial void CacheUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Cannot write cache file {Path}")]
    public static partial void CacheWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(5, LogLevel.Information, "Applied routing table version {Version} from {Source}")]
    public static partial void Applied(ILogger logger, long version, TableSource source);

    [LoggerMessage(6, LogLevel.Debug, "Ignored routing table version {Version} (holding {Current}) from {Source}")]
    public static partial void Ignored(ILogger logger, long version, long current, TableSource source);

    [LoggerMessage(7, LogLevel.Warning, "Rejected routing table (version {Version}) from {Source}: {Reason} {Detail}; keeping the last good table")]
    public static partial void Rejected(ILogger logger, long? version, TableSource source, string reason, string? detail);

    [LoggerMessage(8, LogLevel.Information, "The control plane has no routing table yet")]
    public static partial void NoTableYet(ILogger logger);

    [LoggerMessage(9, LogLevel.Warning, "Routing table snapshot unavailable: {Reason}")]
    public static partial void SnapshotFailed(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(10, LogLevel.Information, "Subscribed to routing tables with queue {Queue}")]
    public static partial void Subscribed(ILogger logger, string queue);

    [LoggerMessage(11, LogLevel.Warning, "Lost the broker connection; serving the last good table")]
    public static partial void Disconnected(ILogger logger);

    [LoggerMessage(12, LogLevel.Warning, "Broker unavailable ({Reason}); serving the last good table, retrying in about {Delay}")]
    public static partial void BrokerUnavailable(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(13, LogLevel.Warning, "Ignored a message of type {Type} on the routing-table exchange")]
    public static partial void UnexpectedType(ILogger logger, string type);

    [LoggerMessage(14, LogLevel.Error, "Failed to handle a routing-table message")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Debug, "Could not publish a status report: {Reason}")]
    public static partial void StatusPublishFailed(ILogger logger, string reason);
}
