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

public sealed record FleetConvergence(long? CurrentVersion, int Live, int LiveOnCurrent, IReadOnlyList<SubscriberView> Subscribers);

/// <summary>The fleet as subscribers report it: who applied which version, when, and what they rejected.</summary>
public sealed partial class SubscriberStore(NpgsqlDataSource dataSource)
{
    /// <summary>Records a report; returns the created_at of the version when the subscriber just moved to it (for propagation latency).</summary>
    public async Task<DateTimeOffset?> RecordAsync(SubscriberStatus status, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH previous AS (SELECT applied_version FROM subscribers WHERE subscriber_id = $1)
            INSERT INTO subscribers (subscriber_id, kind, host, applied_version, applied_at, first_seen, last_seen,
                                     last_rejection_version, last_rejection_reason, last_rejection_at)
            VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)
            ON CONFLICT (subscriber_id) DO UPDATE SET
                kind = EXCLUDED.kind, host = EXCLUDED.host,
                applied_version = GREATEST(subscribers.applied_version, EXCLUDED.applied_version),
                applied_at = CASE WHEN EXCLUDED.applied_version > COALESCE(subscribers.applied_version, -1) THEN EXCLUDED.applied_at ELSE subscribers.applied_at END,
                last_seen = EXCLUDED.last_seen,
                last_rejection_version = COALESCE(EXCLUDED.last_rejection_version, subscribers.last_rejection_version),
                last_rejection_reason = COALESCE(EXCLUDED.last_rejection_reason, subscribers.last_rejection_reason),
                last_rejection_at = COALESCE(EXCLUDED.last_rejection_at, subscribers.last_rejection_at)
            RETURNING (SELECT applied_version FROM previous) AS previous_version,
                      (SELECT created_at FROM routing_tables WHERE version = $4) AS version_created_at
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
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || status.AppliedVersion is null || reader.IsDBNull(1))
        {
            return null;
        }

        var previous = reader.IsDBNull(0) ? (long?)null : reader.GetInt64(0);
        return previous is null || status.AppliedVersion > previous ? reader.GetFieldValue<DateTimeOffset>(1) : null;
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
