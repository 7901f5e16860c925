using System.Text.Json;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Alerts;
using ControlPlane.Service.Health;
using ControlPlane.Service.Leadership;
using ControlPlane.Contracts;
using ControlPlane.Service.Publishing;
using ControlPlane.Service.Routing;
using ControlPlane.Service.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ControlPlane.Service.Breakers;

public sealed record NewTableVersion(string ContentHash, RoutingTable Content, IReadOnlyList<RoutingChange> Changes, DateTimeOffset CreatedAt);

public sealed record StoredTableVersion(long Version, long? PreviousVersion, string ContentHash, DateTimeOffset CreatedAt);

/// <summary>What one evaluation changed, committed in one transaction so the audit trail and the table never disagree.</summary>
public sealed record EvaluationCommit(
    IReadOnlyList<(TargetDefinition Target, BreakerState State)> ChangedStates,
    IReadOnlyList<(BreakerTransition Transition, string ProviderId)> Transitions,
    NewTableVersion? Table,
    IReadOnlyList<AlertRecord>? Alerts = null)
{
    public IReadOnlyList<AlertRecord> Alerts { get; } = Alerts ?? [];

    public bool IsEmpty => ChangedStates.Count == 0 && Transitions.Count == 0 && Table is null && Alerts.Count == 0;
}

/// <summary>The leader's writes: breaker states, transitions with evidence, and routing table versions.</summary>
public sealed class EvaluationStore(NpgsqlDataSource dataSource, RoutingTableSigning signing)
{
    public async Task<Dictionary<TargetId, BreakerState>> LoadStatesAsync(CancellationToken cancellationToken)
    {
        var states = new Dictionary<TargetId, BreakerState>();
        await using var command = dataSource.CreateCommand("SELECT target_id, detail, proven FROM breaker_states");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // The column, not the JSON, says whether the target is proven: rows written before the flag existed carry
            // no such member, and the migration decided they are proven (migrations/0033_breaker_proven.sql).
            if (JsonSerializer.Deserialize<BreakerState>(reader.GetString(1), StorageJson.Options) is { } state)
            {
                states[new TargetId(reader.GetString(0))] = state with { Proven = reader.GetBoolean(2) };
            }
        }

        return states;
    }

    public async Task<StoredTableVersion?> LatestTableAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT version, previous_version, content_hash, created_at FROM routing_tables ORDER BY version DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredTableVersion(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3))
            : null;
    }

    /// <summary>
    /// Commits the evaluation; returns the new table version when one was written. A new version is signed and put in
    /// the outbox in the same transaction, so a crash between commit and publish loses nothing.
    /// </summary>
    /// <param name="fence">
    /// The leader's lock session, checked inside the transaction: a replica that lost the lock (or leads from memory
    /// through an outage) commits nothing, so two replicas never both write versions.
    /// </param>
    public async Task<long?> CommitAsync(EvaluationCommit commit, long? previousVersion, LeaderFence? fence, CancellationToken cancellationToken)
    {
        if (fence is null)
        {
            throw new LeadershipUnprovenException("Leadership is not proven (the leader lock's session is gone); nothing was committed.");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var check = new NpgsqlCommand(LeaderFence.CheckSql, connection, transaction))
        {
            check.Parameters.Add(new() { Value = fence.Pid });
            check.Parameters.Add(new() { Value = fence.BackendStart });
            check.Parameters.Add(new() { Value = LeaderElection.LockKey });
            if (!(bool)(await check.ExecuteScalarAsync(cancellationToken))!)
            {
                throw new LeadershipUnprovenException("The leader lock is no longer held by this replica's session; nothing was committed.");
            }
        }

        foreach (var (target, state) in commit.ChangedStates)
        {
            await using var upsert = new NpgsqlCommand(
                """
                INSERT INTO breaker_states (target_id, provider_id, state, detail, updated_at, proven) VALUES ($1, $2, $3, $4, $5, $6)
                ON CONFLICT (target_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, state = EXCLUDED.state,
                    detail = EXCLUDED.detail, updated_at = EXCLUDED.updated_at, proven = EXCLUDED.proven
                """, connection, transaction);
            upsert.Parameters.Add(new() { Value = target.Id.Value });
            upsert.Parameters.Add(new() { Value = target.ProviderId });
            upsert.Parameters.Add(new() { Value = RoutingTableMapper.StateName(state.State) });
            upsert.Parameters.Add(new() { Value = JsonSerializer.Serialize(state, StorageJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
            upsert.Parameters.Add(new() { Value = state.Since });
            upsert.Parameters.Add(new() { Value = state.Proven });
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var (transition, providerId) in commit.Transitions)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO breaker_transitions (target_id, provider_id, from_state, to_state, reason, evidence, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                connection, transaction);
            insert.Parameters.Add(new() { Value = transition.Target.Value });
            insert.Parameters.Add(new() { Value = providerId });
            insert.Parameters.Add(new() { Value = RoutingTableMapper.StateName(transition.From) });
            insert.Parameters.Add(new() { Value = RoutingTableMapper.StateName(transition.To) });
            insert.Parameters.Add(new() { Value = transition.Reason });
            insert.Parameters.Add(new() { Value = JsonSerializer.Serialize(WindowView.From(transition.Evidence), StorageJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new() { Value = transition.At });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        long? version = null;
        if (commit.Table is { } table)
        {
            await using var next = new NpgsqlCommand("SELECT nextval('routing_table_version_seq')", connection, transaction);
            version = (long)(await next.ExecuteScalarAsync(cancellationToken))!;
            await using var insert = new NpgsqlCommand(
                "INSERT INTO routing_tables (version, previous_version, content_hash, content, changes, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                connection, transaction);
            insert.Parameters.Add(new() { Value = version.Value });
            insert.Parameters.Add(new() { Value = (object?)previousVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
            insert.Parameters.Add(new() { Value = table.ContentHash });
            insert.Parameters.Add(new() { Value = JsonSerializer.Serialize(table.Content, StorageJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new() { Value = JsonSerializer.Serialize(table.Changes, StorageJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new() { Value = table.CreatedAt });
            await insert.ExecuteNonQueryAsync(cancellationToken);

            var (_, json) = signing.Sign(version.Value, previousVersion, table.CreatedAt, table.Content, table.Changes);
            await using var outbox = new NpgsqlCommand(
                "INSERT INTO routing_outbox (version, payload, created_at) VALUES ($1, $2, $3)", connection, transaction);
            outbox.Parameters.Add(new() { Value = version.Value });
            outbox.Parameters.Add(new() { Value = json });
            outbox.Parameters.Add(new() { Value = table.CreatedAt });
            await outbox.ExecuteNonQueryAsync(cancellationToken);
        }

        await AlertStore.InsertAsync(connection, transaction, commit.Alerts, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return version;
    }
}
