using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Storage;

/// <summary>What one maintenance pass did.</summary>
public sealed record PartitionMaintenanceResult(IReadOnlyList<DateOnly> Created, IReadOnlyList<DateOnly> Dropped);

/// <summary>
/// Keeps probe_samples' daily partitions (UTC days, named probe_samples_pYYYYMMDD) ahead of the clock and
/// drops those whose whole day has left the retention window. Every replica runs it; each DDL transaction
/// takes one transaction-level advisory lock first, so replicas queue instead of racing on the catalog.
/// </summary>
public sealed class PartitionMaintenance(
    NpgsqlDataSource dataSource,
    IOptions<StorageOptions> options,
    TimeProvider timeProvider,
    ILogger<PartitionMaintenance> logger)
{
    internal const long AdvisoryLockKey = 0x43_50_50_41_52_54_4E_53; // "CPPARTNS"
    internal const string ParentTable = "probe_samples";
    private const string Prefix = ParentTable + "_p";

    public static string PartitionName(DateOnly day) => Prefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private DateOnly Today => DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);

    /// <summary>Creates today's partition and <see cref="StorageOptions.PartitionDaysAhead"/> more, then applies retention.</summary>
    public async Task<PartitionMaintenanceResult> RunAsync(CancellationToken cancellationToken)
    {
        var today = Today;
        var created = await EnsurePartitionsAsync(
            Enumerable.Range(0, options.Value.PartitionDaysAhead + 1).Select(today.AddDays).ToList(), cancellationToken);
        var dropped = await DropExpiredAsync(cancellationToken);
        return new PartitionMaintenanceResult(created, dropped);
    }

    /// <summary>Creates the partitions of the given days that do not exist yet; returns the ones this call created.</summary>
    public async Task<IReadOnlyList<DateOnly>> EnsurePartitionsAsync(IReadOnlyCollection<DateOnly> days, CancellationToken cancellationToken)
    {
        if (days.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, transaction, cancellationToken);

        var existing = await ListAsync(connection, transaction, cancellationToken);
        var created = new List<DateOnly>();
        foreach (var day in days.Distinct().Order().Where(d => !existing.Contains(d)))
        {
            // Bounds carry an explicit UTC offset so the session's TimeZone setting cannot shift the days.
            var from = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var to = day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            await ExecuteAsync(connection, transaction,
                $"CREATE TABLE IF NOT EXISTS {PartitionName(day)} PARTITION OF {ParentTable} " +
                $"FOR VALUES FROM ('{from} 00:00:00+00') TO ('{to} 00:00:00+00')",
                cancellationToken);
            created.Add(day);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var day in created)
        {
            Log.PartitionCreated(logger, PartitionName(day));
        }

        return created;
    }

    /// <summary>
    /// Makes sure samples of these days have somewhere to go, within the window maintenance keeps
    /// (retention behind, days-ahead in front, plus one day of slack for clock skew). Returns the days that
    /// now have a partition; a day outside the window is refused, never created only to be dropped again.
    /// </summary>
    public async Task<IReadOnlySet<DateOnly>> EnsurePartitionsForSamplesAsync(
        IReadOnlyCollection<DateOnly> days, CancellationToken cancellationToken)
    {
        var today = Today;
        var oldest = today.AddDays(-options.Value.RetentionDays);
        var newest = today.AddDays(options.Value.PartitionDaysAhead + 1);
        var allowed = days.Where(d => d >= oldest && d <= newest).ToHashSet();
        await EnsurePartitionsAsync(allowed, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var existing = await ListAsync(connection, null, cancellationToken);
        return days.Where(existing.Contains).ToHashSet();
    }

    /// <summary>Drops every partition whose whole day is older than the retention; returns the dropped days.</summary>
    public async Task<IReadOnlyList<DateOnly>> DropExpiredAsync(CancellationToken cancellationToken)
    {
        // A partition holds [day, day + 1); it may go once day + 1 <= now - retention.
        var cutoff = timeProvider.GetUtcNow().UtcDateTime.AddDays(-options.Value.RetentionDays);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockAsync(connection, transaction, cancellationToken);

        // DROP of a partition needs an exclusive lock on the parent: give up rather than queue behind a long
        // read and stall every writer queued behind us. The next pass retries.
        await ExecuteAsync(connection, transaction, "SET LOCAL lock_timeout = '10s'", cancellationToken);

        var dropped = new List<DateOnly>();
        foreach (var day in (await ListAsync(connection, transaction, cancellationToken)).Order())
        {
            if (day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) <= cutoff)
            {
                await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {PartitionName(day)}", cancellationToken);
                dropped.Add(day);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var day in dropped)
        {
            Log.PartitionDropped(logger, PartitionName(day), options.Value.RetentionDays);
        }

        return dropped;
    }

    /// <summary>The days that currently have a partition.</summary>
    public async Task<IReadOnlyList<DateOnly>> ListPartitionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return [.. (await ListAsync(connection, null, cancellationToken)).Order()];
    }

    private static async Task<HashSet<DateOnly>> ListAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'probe_samples'::regclass
            """, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var days = new HashSet<DateOnly>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            // Partitions attached by hand under other names are not ours to drop.
            if (name.StartsWith(Prefix, StringComparison.Ordinal)
                && DateOnly.TryParseExact(name[Prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                days.Add(day);
            }
        }

        return days;
    }

    private static Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
