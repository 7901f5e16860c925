using ControlPlane.Contracts;
using Npgsql;
using NpgsqlTypes;

namespace ControlPlane.Service.Subscribers;

public sealed record SubscriberView(
    string SubscriberId,
    string Kind,
    string? Host,
    long? AppliedVersion,
    DateTimeOffset? AppliedAt,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    bool Live,
    long? VersionsBehind,
    long? LastRejectionVersion,
    string? LastRejectionReason,
    DateTimeOffset? LastRejectionAt);

/// <param name="VersionCommittedAt">When the version the subscriber just moved to was committed; null if it did not move.</param>
/// <param name="NewRejection">The report carries a rejection not recorded before.</param>
public sealed record RecordedStatus(DateTimeOffset? VersionCommittedAt, bool NewRejection);

public sealed record FleetConvergence(long? CurrentVersion, int Live, int LiveOnCurrent, IReadOnlyList<SubscriberView> Subscribers);

/// <summary>The fleet as subscribers report it: who applied which version, when, and what they rejected.</summary>
public sealed partial class SubscriberStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Records a report. Returns the created_at of the version when the subscriber just moved to it (for propagation
    /// latency), and whether the report carries a rejection not recorded before (so each rejection counts once, however
    /// many reports repeat it).
    /// </summary>
    /// <param name="foreignTable">Why the applied table is not one we committed (<see cref="CommittedTables"/>), or null.</param>
    public async Task<RecordedStatus> RecordAsync(SubscriberStatus status, DateTimeOffset receivedAt, string? foreignTable, CancellationToken cancellationToken)
    {
        // The rejection columns move together: a report with a rejection replaces all three (its version may be null
        // for an unreadable message), a report without one keeps them. Mixing them would pair a new reason with the
        // previous rejection's version.
        await using var command = dataSource.CreateCommand(
            """
            WITH previous AS (SELECT applied_version, last_rejection_at FROM subscribers WHERE subscriber_id = $1)
            INSERT INTO subscribers (subscriber_id, kind, host, applied_version, applied_at, first_seen, last_seen,
                                     last_rejection_version, last_rejection_reason, last_rejection_at,
                                     applied_content_hash, unknown_table)
            VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (subscriber_id) DO UPDATE SET
                kind = EXCLUDED.kind, host = EXCLUDED.host,
                applied_version = GREATEST(subscribers.applied_version, EXCLUDED.applied_version),
                applied_at = CASE WHEN EXCLUDED.applied_version > COALESCE(subscribers.applied_version, -1) THEN EXCLUDED.applied_at ELSE subscribers.applied_at END,
                last_seen = EXCLUDED.last_seen,
                last_rejection_version = CASE WHEN EXCLUDED.last_rejection_at IS NULL THEN subscribers.last_rejection_version ELSE EXCLUDED.last_rejection_version END,
                last_rejection_reason = CASE WHEN EXCLUDED.last_rejection_at IS NULL THEN subscribers.last_rejection_reason ELSE EXCLUDED.last_rejection_reason END,
                last_rejection_at = COALESCE(EXCLUDED.last_rejection_at, subscribers.last_rejection_at),
                applied_content_hash = EXCLUDED.applied_content_hash,
                unknown_table = EXCLUDED.unknown_table
            RETURNING (SELECT applied_version FROM previous) AS previous_version,
                      (SELECT created_at FROM routing_tables WHERE version = $4) AS version_created_at,
                      $9::timestamptz IS NOT NULL AND $9::timestamptz IS DISTINCT FROM (SELECT last_rejection_at FROM previous) AS new_rejection
            """);
        command.Parameters.Add(new() { Value = status.SubscriberId });
        command.Parameters.Add(new() { Value = status.Kind });
        command.Parameters.Add(new() { Value = (object?)status.Host ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)status.AppliedVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)status.AppliedAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = receivedAt });
        command.Parameters.Add(new() { Value = (object?)status.LastRejection?.Version ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = (object?)status.LastRejection?.Reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)status.LastRejection?.At ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new() { Value = (object?)status.AppliedContentHash ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)foreignTable ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new RecordedStatus(null, false);
        }

        var newRejection = !reader.IsDBNull(2) && reader.GetBoolean(2);
        if (status.AppliedVersion is null || reader.IsDBNull(1))
        {
            return new RecordedStatus(null, newRejection);
        }

        var previous = reader.IsDBNull(0) ? (long?)null : reader.GetInt64(0);
        return new RecordedStatus(previous is null || status.AppliedVersion > previous ? reader.GetFieldValue<DateTimeOffset>(1) : null, newRejection);
    }

    /// <summary>Live subscribers whose last report named a table this control plane never committed.</summary>
    public async Task<IReadOnlyList<(string SubscriberId, string Reason)>> UnknownTablesAsync(DateTimeOffset seenSince, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT subscriber_id, unknown_table FROM subscribers WHERE unknown_table IS NOT NULL AND last_seen > $1 ORDER BY subscriber_id");
        command.Parameters.Add(new() { Value = seenSince });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var unknown = new List<(string, string)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            unknown.Add((reader.GetString(0), reader.GetString(1)));
        }

        return unknown;
    }

    public async Task<FleetConvergence> FleetAsync(DateTimeOffset now, TimeSpan liveWindow, CancellationToken cancellationToken)
    {
        long? current;
        await using (var latest = dataSource.CreateCommand("SELECT max(version) FROM routing_tables"))
        {
            var value = await latest.ExecuteScalarAsync(cancellationToken);
            current = value is long v ? v : null;
        }

        var subscribers = new List<SubscriberView>();
        await using var command = dataSource.CreateCommand(
            """
            SELECT subscriber_id, kind, host, applied_version, applied_at, first_seen, last_seen,
                   last_rejection_version, last_rejection_reason, last_rejection_at
            FROM subscribers WHERE last_seen > $1 - interval '1 day' ORDER BY subscriber_id
            """);
        command.Parameters.Add(new() { Value = now });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var applied = reader.IsDBNull(3) ? (long?)null : reader.GetInt64(3);
            var lastSeen = reader.GetFieldValue<DateTimeOffset>(6);
            subscribers.Add(new SubscriberView(
                reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                applied, reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetFieldValue<DateTimeOffset>(5), lastSeen, now - lastSeen <= liveWindow,
                current is null ? null : current - (applied ?? 0),
                reader.IsDBNull(7) ? null : reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
        }

        var live = subscribers.Where(s => s.Live).ToList();
        return new FleetConvergence(current, live.Count, live.Count(s => s.AppliedVersion == current), subscribers);
    }
}
