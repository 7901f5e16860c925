using System.Text.Json;
using ControlPlane.Service.Storage;
using Npgsql;

namespace ControlPlane.Service.Breakers;

public sealed record TransitionView(long Id, string Target, string Provider, string From, string To, string Reason, JsonElement Evidence, DateTimeOffset OccurredAt);

public sealed record TableVersionView(long Version, long? PreviousVersion, string ContentHash, DateTimeOffset CreatedAt, JsonElement Changes, JsonElement? Content);

public sealed record AuditEntryView(long Id, DateTimeOffset At, string Actor, string Action, string Subject, JsonElement Details);

/// <summary>Reads of the audit trail: transitions, table versions, stored breaker states, API changes.</summary>
public sealed class AuditQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<TransitionView>> TransitionsAsync(
        string? target, string? provider, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT id, target_id, provider_id, from_state, to_state, reason, evidence::text, occurred_at FROM breaker_transitions
            WHERE occurred_at >= $1 AND occurred_at < $2 AND ($3::text IS NULL OR target_id = $3) AND ($4::text IS NULL OR provider_id = $4)
            ORDER BY occurred_at, id LIMIT $5
            """);
        command.Parameters.Add(new() { Value = from });
        command.Parameters.Add(new() { Value = to });
        command.Parameters.Add(new() { Value = (object?)target ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)provider ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = limit });
        var result = new List<TransitionView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new TransitionView(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), Parse(reader.GetString(6)), reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return result;
    }

    public async Task<IReadOnlyList<TableVersionView>> TableVersionsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT version, previous_version, content_hash, created_at, changes::text FROM routing_tables ORDER BY version DESC LIMIT $1");
        command.Parameters.Add(new() { Value = limit });
        var result = new List<TableVersionView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new TableVersionView(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), Parse(reader.GetString(4)), null));
        }

        return result;
    }

    /// <summary>One version with its content; null version = the latest.</summary>
    public async Task<TableVersionView?> TableVersionAsync(long? version, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT version, previous_version, content_hash, created_at, changes::text, content::text FROM routing_tables
            WHERE $1::bigint IS NULL OR version = $1 ORDER BY version DESC LIMIT 1
            """);
        command.Parameters.Add(new() { Value = (object?)version ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new TableVersionView(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), Parse(reader.GetString(4)), Parse(reader.GetString(5)))
            : null;
    }

    /// <summary>Breaker states as last committed by the leader (what a non-leader replica can show).</summary>
    public async Task<IReadOnlyList<BreakerView>> StoredBreakersAsync(ControlPlane.Core.Catalog.ProviderCatalog catalog, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT target_id, provider_id, state, detail::text, updated_at, proven FROM breaker_states ORDER BY target_id");
        var result = new List<BreakerView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var detail = JsonSerializer.Deserialize<ControlPlane.Core.Breakers.BreakerState>(reader.GetString(3), StorageJson.Options)!;
            var target = reader.GetString(0);
            var provider = reader.GetString(1);
            var model = catalog.Targets.TryGetValue(new ControlPlane.Core.Catalog.TargetId(target), out var definition) ? definition.Model : "";
            result.Add(new BreakerView(target, provider, model,
                reader.GetString(2), detail.Since, detail.TripCount, detail.OpenUntil, null, null, reader.GetFieldValue<DateTimeOffset>(4), detail.SlowStartStartedAt)
            {
                Proven = reader.GetBoolean(5),
            });
        }

        return result;
    }

    public async Task<IReadOnlyList<AuditEntryView>> AuditAsync(DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, at, actor, action, subject, details::text FROM audit_log WHERE at >= $1 AND at < $2 ORDER BY at, id LIMIT $3");
        command.Parameters.Add(new() { Value = from });
        command.Parameters.Add(new() { Value = to });
        command.Parameters.Add(new() { Value = limit });
        var result = new List<AuditEntryView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new AuditEntryView(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), Parse(reader.GetString(5))));
        }

        return result;
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
