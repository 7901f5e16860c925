using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Storage;

/// <summary>The "Storage" configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Npgsql connection string; when unset, <c>ConnectionStrings:ControlPlane</c> is used.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Days of raw probe samples kept; a daily partition is dropped once its whole day is older.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 14;

    /// <summary>Daily partitions created ahead of today, so midnight never waits on DDL.</summary>
    [Range(0, 366)]
    public int PartitionDaysAhead { get; set; } = 3;

    public TimeSpan PartitionMaintenanceInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Samples per binary COPY.</summary>
    [Range(1, 1_000_000)]
    public int IngestBatchSize { get; set; } = 1000;

    /// <summary>How long a partial batch waits for more samples before it is written anyway.</summary>
    public TimeSpan IngestMaxDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Samples queued between the probes and the writer. When the queue is full, new samples are refused and
    /// counted in <c>controlplane_samples_dropped_total{reason="queue_full"}</c>; probes never block on storage.
    /// </summary>
    [Range(1, 10_000_000)]
    public int IngestCapacity { get; set; } = 100_000;

    /// <summary>
    /// Samples held in memory while Postgres is unreachable, retried with backoff. Beyond this the oldest are
    /// dropped and counted (<c>reason="buffer_full"</c>). At the defaults, a blip of up to ~100,000 samples
    /// (about 15 minutes at 10,000 targets every 10 s) loses nothing.
    /// </summary>
    [Range(1, 10_000_000)]
    public int IngestRetryBufferLimit { get; set; } = 100_000;

    /// <summary>Upper bound of the exponential backoff between write attempts while Postgres is failing.</summary>
    public TimeSpan IngestMaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far back each rollup pass recomputes, so samples that arrive late are folded in.</summary>
    public TimeSpan RollupLookback { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Apply pending migrations when the service starts (the Helm hook Job runs them too; both are safe).</summary>
    public bool MigrateOnStart { get; set; } = true;
}

/// <summary>Reports every problem with the Storage section at once. Never echoes the connection string.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();

        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Storage:ConnectionString (or ConnectionStrings:ControlPlane) is required.");
        }
        else
        {
            try
            {
                var parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(parsed.Host))
                {
                    failures.Add("The storage connection string names no Host.");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
            {
                // The message can quote the offending keyword but we never repeat the value.
                failures.Add("The storage connection string is not a valid Npgsql connection string.");
            }
        }

        RequirePositive(failures, nameof(StorageOptions.IngestMaxDelay), options.IngestMaxDelay);
        RequirePositive(failures, nameof(StorageOptions.IngestMaxRetryDelay), options.IngestMaxRetryDelay);
        RequirePositive(failures, nameof(StorageOptions.RollupInterval), options.RollupInterval);
        RequirePositive(failures, nameof(StorageOptions.RollupLookback), options.RollupLookback);
        RequirePositive(failures, nameof(StorageOptions.PartitionMaintenanceInterval), options.PartitionMaintenanceInterval);

        if (options.PartitionMaintenanceInterval > TimeSpan.FromHours(12))
        {
            failures.Add("Storage:PartitionMaintenanceInterval must be at most 12 hours, or tomorrow's partition may be late.");
        }

        if (options.RollupLookback < options.RollupInterval)
        {
            failures.Add("Storage:RollupLookback must be at least Storage:RollupInterval, or some minutes are never rolled up.");
        }

        if (options.IngestBatchSize > options.IngestCapacity)
        {
            failures.Add("Storage:IngestBatchSize must not exceed Storage:IngestCapacity.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void RequirePositive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"Storage:{name} must be positive.");
        }
    }
}
