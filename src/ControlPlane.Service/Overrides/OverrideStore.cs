using System.Text.Json;
using ControlPlane.Service.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ControlPlane.Service.Overrides;

/// <summary>Overrides in Postgres, shared by every replica; each change is written with its audit record in one transaction.</summary>
public sealed class OverrideStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "id, kind, target_id, provider_id, route_id, owner, reason, created_by, created_at, starts_at, expires_at, cancelled_at, cancelled_by";

    public async Task CreateAsync(OverrideRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            $"INSERT INTO overrides ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL)", connection, transaction))
        {
            insert.Parameters.Add(new() { Value = record.Id });
            insert.Parameters.Add(new() { Value = record.Kind });
            insert.Parameters.Add(new() { Value = (object?)record.Target ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = (object?)record.Provider ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = (object?)record.Route ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = record.Owner });
            insert.Parameters.Add(new() { Value = record.Reason });
            insert.Parameters.Add(new() { Value = record.CreatedBy });
            insert.Parameters.Add(new() { Value = record.CreatedAt });
            insert.Parameters.Add(new() { Value = record.StartsAt });
            insert.Parameters.Add(new() { Value = record.ExpiresAt });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await AuditAsync(connection, transaction, record.CreatedAt, record.CreatedBy, "override.create", record.Id.ToString(), record, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Cancels an override; returns the record, or null when there is no such override. Cancelling twice is
    /// idempotent: the second call returns the record as first cancelled and writes no audit entry, so the audit log
    /// never shows a cancellation that changed nothing (or credits it to the wrong key).
    /// </summary>
    public async Task<OverrideRecord?> CancelAsync(Guid id, string actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        OverrideRecord? record;
        await using (var update = new NpgsqlCommand(
            $"UPDATE overrides SET cancelled_at = $2, cancelled_by = $3 WHERE id = $1 AND cancelled_at IS NULL RETURNING {Columns}",
            connection, transaction))
        {
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = now });
            update.Parameters.Add(new() { Value = actor });
            await using var reader = await update.ExecuteReaderAsync(cancellationToken);
            record = await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }

        if (record is not null)
        {
            await AuditAsync(connection, transaction, now, actor, "override.cancel", id.ToString(), record, cancellationToken);
        }
        else
        {
            await using var existing = new NpgsqlCommand($"SELECT {Columns} FROM overrides WHERE id = $1", connection, transaction);
            existing.Parameters.Add(new() { Value = id });
            await using var reader = await existing.ExecuteReaderAsync(cancellationToken);
            record = await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
        }

        await transaction.CommitAsync(cancellationToken);
        return record;
    }

    /// <summary>Overrides not cancelled and not yet expired (active now or scheduled), for the evaluator.</summary>
    public Task<IReadOnlyList<OverrideRecord>> LiveAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM overrides WHERE cancelled_at IS NULL AND expires_at > $1 ORDER BY created_at", now, cancellationToken);

    /// <summary>Recent history for the API: everything that expired or was created within the window, newest first.</summary>
    public Task<IReadOnlyList<OverrideRecord>> ListAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {Columns} FROM overrides WHERE expires_at > $1 OR created_at > $1 ORDER BY created_at DESC LIMIT 1000", since, cancellationToken);

    private async Task<IReadOnlyList<OverrideRecord>> QueryAsync(string sql, DateTimeOffset parameter, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new() { Value = parameter });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var records = new List<OverrideRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(Read(reader));
        }

        return records;
    }

    private static OverrideRecord Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1),
        r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
        r.GetString(5), r.GetString(6), r.GetString(7),
        r.GetFieldValue<DateTimeOffset>(8), r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11), r.IsDBNull(12) ? null : r.GetString(12));

    private static async Task AuditAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset at, string actor, string action, string subject, T details, CancellationToken cancellationToken)
    {
        await using var audit = new NpgsqlCommand("INSERT INTO audit_log (at, actor, action, subject, details) VALUES ($1, $2, $3, $4, $5)", connection, transaction);
        audit.Parameters.Add(new() { Value = at });
        audit.Parameters.Add(new() { Value = actor });
        audit.Parameters.Add(new() { Value = action });
        audit.Parameters.Add(new() { Value = subject });
        audit.Parameters.Add(new() { Value = JsonSerializer.Serialize(details, StorageJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await audit.ExecuteNonQueryAsync(cancellationToken);
    }
}
