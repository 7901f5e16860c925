using ControlPlane.Core.Alerts;
using Npgsql;
using NpgsqlTypes;

namespace ControlPlane.Service.Alerts;

/// <summary>
/// A sink's oldest pending delivery, locked (<c>FOR UPDATE</c>) until <see cref="AlertStore.MarkAsync"/> commits or the
/// claim is disposed, so two replicas overlapping during a leadership handover cannot both send it.
/// </summary>
public sealed class DeliveryClaim : IAsyncDisposable
{
    internal DeliveryClaim(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public required long Id { get; init; }

    /// <summary>Attempts made so far.</summary>
    public required int Attempts { get; init; }

    public required DateTimeOffset NextAttemptAt { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required StoredAlert Alert { get; init; }

    internal NpgsqlConnection Connection { get; }

    internal NpgsqlTransaction Transaction { get; }

    public async ValueTask DisposeAsync()
    {
        // Not marked: the rollback releases the row as it was.
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}

public sealed partial class AlertStore
{
    /// <summary>Locks the sink's oldest pending delivery (in raise order, so a resolve never overtakes its trigger); null when none is pending.</summary>
    public async Task<DeliveryClaim?> ClaimNextAsync(string sink, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var select = new NpgsqlCommand(
                """
                SELECT d.id, d.attempts, d.next_attempt_at, d.created_at, a.id, a.dedup_key, a.action, a.kind, a.severity, a.summary,
                       a.provider_id, a.model, a.route_id, a.occurred_at
                FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
                WHERE d.sink = $1 AND d.status = 'pending'
                ORDER BY d.id LIMIT 1
                FOR UPDATE OF d
                """, connection, transaction);
            select.Parameters.Add(new() { Value = sink });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                await reader.DisposeAsync();
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
                return null;
            }

            return new DeliveryClaim(connection, transaction)
            {
                Id = reader.GetInt64(0),
                Attempts = reader.GetInt32(1),
                NextAttemptAt = reader.GetFieldValue<DateTimeOffset>(2),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(3),
                Alert = new StoredAlert(reader.GetGuid(4), reader.GetString(5), reader.GetString(6) == "trigger" ? AlertAction.Trigger : AlertAction.Resolve,
                    reader.GetString(7), reader.GetString(8), reader.GetString(9), Text(reader, 10), Text(reader, 11),
                    Text(reader, 12), reader.GetFieldValue<DateTimeOffset>(13)),
            };
        }
        catch
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }

            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Records how the claimed delivery went and commits, releasing the row.</summary>
    /// <param name="countAttempt">False when nothing was sent (the delivery expired unsent), so the attempt count stays true.</param>
    public async Task MarkAsync(
        DeliveryClaim claim, string status, string? error, DateTimeOffset nextAttempt, DateTimeOffset? deliveredAt, bool countAttempt,
        CancellationToken cancellationToken)
    {
        await using (var update = new NpgsqlCommand(
            """
            UPDATE alert_deliveries SET status = $2, attempts = attempts + $3, last_error = $4, next_attempt_at = $5, delivered_at = $6
            WHERE id = $1
            """, claim.Connection, claim.Transaction))
        {
            update.Parameters.Add(new() { Value = claim.Id });
            update.Parameters.Add(new() { Value = status });
            update.Parameters.Add(new() { Value = countAttempt ? 1 : 0 });
            update.Parameters.Add(Nullable(error));
            update.Parameters.Add(new() { Value = nextAttempt });
            update.Parameters.Add(new() { Value = (object?)deliveredAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await claim.Transaction.CommitAsync(cancellationToken);
    }
}
