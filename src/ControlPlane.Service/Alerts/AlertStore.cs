using ControlPlane.Core.Alerts;
using Npgsql;
using NpgsqlTypes;

namespace ControlPlane.Service.Alerts;

/// <summary>A trigger or resolve with its id (the webhook-id) and the sinks it goes to.</summary>
public sealed record AlertRecord(Guid Id, AlertEvent Event, IReadOnlyList<string> Sinks);

public sealed record AlertEventView(
    Guid Id, string DedupKey, string Action, string Kind, string Severity, string Summary,
    string? Provider, string? Model, string? Route, DateTimeOffset OccurredAt);

public sealed record ActiveAlertView(
    string DedupKey, string Kind, string Severity, string Summary, string? Provider, string? Model, string? Route, DateTimeOffset TriggeredAt);

public sealed record AlertsView(IReadOnlyList<ActiveAlertView> Active, IReadOnlyList<AlertEventView> Recent);

public sealed record DeliveryView(
    long Id, Guid AlertId, string Sink, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt,
    DateTimeOffset? DeliveredAt, string? LastError, string DedupKey, string Action, string Kind);

/// <summary>Alerts, their tracker state and per-sink deliveries in Postgres.</summary>
public sealed partial class AlertStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Writes alert events, the tracker state they imply and one pending delivery per sink, inside the caller's
    /// transaction (the leader's evaluation commit): an alert exists exactly when the change that caused it does.
    /// </summary>
    public static async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<AlertRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        foreach (var record in records)
        {
            var (action, alert, at) = (record.Event.Action, record.Event.Alert, record.Event.At);
            await using (var insert = new NpgsqlCommand(
                """
                INSERT INTO alerts (id, dedup_key, action, kind, severity, summary, provider_id, model, route_id, occurred_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """, connection, transaction))
            {
                AddAlertParameters(insert, record.Id, action, alert, at);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }

            if (alert.Kind != AlertKind.Test)
            {
                await using var state = new NpgsqlCommand(
                    """
                    INSERT INTO alert_state (dedup_key, kind, severity, summary, provider_id, model, route_id, group_key, active,
                                             triggered_at, last_triggered_at, resolved_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $9 THEN $10 END, CASE WHEN $9 THEN $10 END, CASE WHEN $9 THEN NULL ELSE $10 END)
                    ON CONFLICT (dedup_key) DO UPDATE SET
                        summary = EXCLUDED.summary, active = EXCLUDED.active,
                        triggered_at = COALESCE(EXCLUDED.triggered_at, alert_state.triggered_at),
                        last_triggered_at = COALESCE(EXCLUDED.last_triggered_at, alert_state.last_triggered_at),
                        resolved_at = EXCLUDED.resolved_at
                    """, connection, transaction);
                state.Parameters.Add(new() { Value = alert.Key });
                state.Parameters.Add(new() { Value = AlertKinds.NameOf(alert.Kind) });
                state.Parameters.Add(new() { Value = AlertKinds.NameOf(alert.Severity) });
                state.Parameters.Add(new() { Value = alert.Summary });
                state.Parameters.Add(Nullable(alert.ProviderId));
                state.Parameters.Add(Nullable(alert.Model));
                state.Parameters.Add(Nullable(alert.RouteId));
                state.Parameters.Add(Nullable(alert.GroupKey));
                state.Parameters.Add(new() { Value = action == AlertAction.Trigger, NpgsqlDbType = NpgsqlDbType.Boolean });
                state.Parameters.Add(new() { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                await state.ExecuteNonQueryAsync(cancellationToken);
            }

            foreach (var sink in record.Sinks)
            {
                await using var delivery = new NpgsqlCommand(
                    "INSERT INTO alert_deliveries (alert_id, sink, status, next_attempt_at, created_at) VALUES ($1, $2, 'pending', $3, $3)",
                    connection, transaction);
                delivery.Parameters.Add(new() { Value = record.Id });
                delivery.Parameters.Add(new() { Value = sink });
                delivery.Parameters.Add(new() { Value = at });
                await delivery.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    /// <summary>Records a test alert for one sink in its own transaction; the leader's sender delivers it.</summary>
    public async Task InsertAsync(AlertRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await InsertAsync(connection, transaction, [record], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>What a new leader's tracker starts from: active alerts, and keys that triggered within the flap period.</summary>
    public async Task<IReadOnlyList<AlertKeyState>> TrackerStateAsync(DateTimeOffset triggeredSince, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT dedup_key, kind, summary, provider_id, model, route_id, group_key, active, last_triggered_at
            FROM alert_state WHERE active OR last_triggered_at >= $1
            """);
        command.Parameters.Add(new() { Value = triggeredSince });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var states = new List<AlertKeyState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!AlertKinds.TryParse(reader.GetString(1), out var kind))
            {
                continue;
            }

            var condition = new AlertCondition(reader.GetString(0), kind, reader.GetString(2), Text(reader, 3), Text(reader, 4), Text(reader, 5), Text(reader, 6));
            states.Add(new AlertKeyState(condition, reader.GetBoolean(7), reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return states;
    }

    public async Task<AlertsView> AlertsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        var active = new List<ActiveAlertView>();
        await using (var command = dataSource.CreateCommand(
            "SELECT dedup_key, kind, severity, summary, provider_id, model, route_id, triggered_at FROM alert_state WHERE active ORDER BY triggered_at DESC"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                active.Add(new ActiveAlertView(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    Text(reader, 4), Text(reader, 5), Text(reader, 6), reader.GetFieldValue<DateTimeOffset>(7)));
            }
        }

        var recent = new List<AlertEventView>();
        await using (var command = dataSource.CreateCommand(
            """
            SELECT id, dedup_key, action, kind, severity, summary, provider_id, model, route_id, occurred_at
            FROM alerts WHERE occurred_at >= $1 ORDER BY occurred_at DESC, id LIMIT $2
            """))
        {
            command.Parameters.Add(new() { Value = since });
            command.Parameters.Add(new() { Value = limit });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                recent.Add(new AlertEventView(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), Text(reader, 6), Text(reader, 7), Text(reader, 8), reader.GetFieldValue<DateTimeOffset>(9)));
            }
        }

        return new AlertsView(active, recent);
    }

    public async Task<IReadOnlyList<DeliveryView>> DeliveriesAsync(string? sink, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT d.id, d.alert_id, d.sink, d.status, d.attempts, d.created_at, d.next_attempt_at, d.delivered_at, d.last_error,
                   a.dedup_key, a.action, a.kind
            FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE ($1::text IS NULL OR d.sink = $1) AND ($2::text IS NULL OR d.status = $2)
            ORDER BY d.id DESC LIMIT $3
            """);
        command.Parameters.Add(Nullable(sink));
        command.Parameters.Add(Nullable(status));
        command.Parameters.Add(new() { Value = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var deliveries = new List<DeliveryView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            deliveries.Add(new DeliveryView(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), Text(reader, 8),
                reader.GetString(9), reader.GetString(10), reader.GetString(11)));
        }

        return deliveries;
    }

    public async Task<long> PendingAsync(string sink, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM alert_deliveries WHERE sink = $1 AND status = 'pending'");
        command.Parameters.Add(new() { Value = sink });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    internal static void AddAlertParameters(NpgsqlCommand command, Guid id, AlertAction action, AlertCondition alert, DateTimeOffset at)
    {
        command.Parameters.Add(new() { Value = id });
        command.Parameters.Add(new() { Value = alert.Key });
        command.Parameters.Add(new() { Value = AlertKinds.NameOf(action) });
        command.Parameters.Add(new() { Value = AlertKinds.NameOf(alert.Kind) });
        command.Parameters.Add(new() { Value = AlertKinds.NameOf(alert.Severity) });
        command.Parameters.Add(new() { Value = alert.Summary });
        command.Parameters.Add(Nullable(alert.ProviderId));
        command.Parameters.Add(Nullable(alert.Model));
        command.Parameters.Add(Nullable(alert.RouteId));
        command.Parameters.Add(new() { Value = at });
    }

    internal static NpgsqlParameter Nullable(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    internal static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
