namespace ControlPlane.Service.Storage;

/// <summary>Storage log messages (EventIds 3000–3099). Connection strings are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Debug, "Waiting for the migration lock")]
    public static partial void MigrationLockWaiting(ILogger logger);

    [LoggerMessage(3001, LogLevel.Information, "Applying migration {Version:D4} {Name}")]
    public static partial void MigrationApplying(ILogger logger, int version, string name);

    [LoggerMessage(3002, LogLevel.Information, "Migrations up to date: applied {Applied} of {Known} known")]
    public static partial void MigrationsDone(ILogger logger, int applied, int known);

    [LoggerMessage(3003, LogLevel.Warning, "The database has migrations this build does not know ({Versions}); a newer version migrated it")]
    public static partial void MigrationUnknownVersions(ILogger logger, string versions);

    [LoggerMessage(3010, LogLevel.Information, "Created partition {Partition}")]
    public static partial void PartitionCreated(ILogger logger, string partition);

    [LoggerMessage(3011, LogLevel.Information, "Dropped partition {Partition}: older than the {RetentionDays}-day retention")]
    public static partial void PartitionDropped(ILogger logger, string partition, int retentionDays);

    [LoggerMessage(3012, LogLevel.Error, "Partition maintenance failed; retrying at the next pass")]
    public static partial void PartitionMaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(3020, LogLevel.Warning, "Writing probe samples failed; {Buffered} samples held for retry")]
    public static partial void IngestWriteFailed(ILogger logger, Exception exception, int buffered);

    [LoggerMessage(3021, LogLevel.Information, "Probe sample writes recovered after {Failures} failed attempts")]
    public static partial void IngestRecovered(ILogger logger, int failures);

    [LoggerMessage(3022, LogLevel.Warning, "Probe sample queue full ({Capacity}): refused {Refused} samples")]
    public static partial void IngestQueueFull(ILogger logger, long refused, int capacity);

    [LoggerMessage(3023, LogLevel.Warning, "Probe sample retry buffer full ({Limit}): dropped the {Dropped} oldest samples")]
    public static partial void IngestBufferFull(ILogger logger, int dropped, int limit);

    [LoggerMessage(3024, LogLevel.Warning, "Dropped {Dropped} probe samples dated outside the partition window ({Days})")]
    public static partial void IngestOutOfRange(ILogger logger, int dropped, string days);

    [LoggerMessage(3025, LogLevel.Warning, "Postgres rejected a batch of {Count} probe samples; writing them one by one to isolate the bad rows")]
    public static partial void IngestBatchRejected(ILogger logger, Exception exception, int count);

    [LoggerMessage(3026, LogLevel.Error, "Dropped a probe sample of {Target} observed at {ObservedAt} that Postgres rejects")]
    public static partial void IngestSampleRejected(ILogger logger, Exception exception, string target, DateTimeOffset observedAt);

    [LoggerMessage(3027, LogLevel.Error, "Shutting down with {Count} probe samples unwritten; they are lost")]
    public static partial void IngestShutdownLost(ILogger logger, int count);

    [LoggerMessage(3030, LogLevel.Debug, "Rolled up {Buckets} changed minute buckets for {From:o} to {To:o}")]
    public static partial void RollupsComputed(ILogger logger, int buckets, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(3031, LogLevel.Warning, "Computing minute rollups failed; retrying at the next pass")]
    public static partial void RollupFailed(ILogger logger, Exception exception);

    [LoggerMessage(3040, LogLevel.Warning, "Reading probe spend failed; the targets view is served without it")]
    public static partial void SpendQueryFailed(ILogger logger, Exception exception);
}
