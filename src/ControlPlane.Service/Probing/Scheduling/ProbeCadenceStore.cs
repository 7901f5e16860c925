using ControlPlane.Core.Catalog;
using Npgsql;

namespace ControlPlane.Service.Probing.Scheduling;

/// <param name="BaseInterval">The catalog interval the decision was made against.</param>
/// <param name="BudgetPerMinute">The provider's probe budget the decision was made under; null: none.</param>
public sealed record ProbeCadenceRow(TargetId Target, TimeSpan BaseInterval, TargetCadence Cadence, long Revision, int? BudgetPerMinute = null)
{
    /// <summary>
    /// Whether the decision still applies: made against the target's current catalog interval and its provider's current
    /// budget. A deploy that changed either leaves rows that must not override the new baseline.
    /// </summary>
    public bool AppliesTo(TargetDefinition target, ProviderCatalog catalog) =>
        BaseInterval == target.Probe.Interval && BudgetPerMinute == catalog.Providers[target.ProviderId].ProbeBudgetPerMinute;
}

/// <summary>The probe_cadence table: the leader writes the cadences adaptive probing and budgets chose; every replica reads them.</summary>
public sealed class ProbeCadenceStore(NpgsqlDataSource dataSource, ProviderCatalog catalog)
{
    /// <summary>Writes the given cadences in one statement, each under a new revision.</summary>
    public async Task SaveAsync(IReadOnlyCollection<(TargetDefinition Target, TargetCadence Cadence)> changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO probe_cadence (target_id, base_interval_ms, interval_ms, mode, desired_interval_ms, suppressed, budget_per_minute, updated_at)
            SELECT t, b, i, m, d, s, g, $8
            FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::smallint[], $5::bigint[], $6::boolean[], $7::integer[]) AS c(t, b, i, m, d, s, g)
            ON CONFLICT (target_id) DO UPDATE SET base_interval_ms = EXCLUDED.base_interval_ms,
                interval_ms = EXCLUDED.interval_ms, mode = EXCLUDED.mode, desired_interval_ms = EXCLUDED.desired_interval_ms,
                suppressed = EXCLUDED.suppressed, budget_per_minute = EXCLUDED.budget_per_minute,
                revision = nextval('probe_cadence_revision_seq'), updated_at = EXCLUDED.updated_at
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = changes.Select(c => c.Target.Id.Value).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = changes.Select(c => Ms(c.Target.Probe.Interval)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = changes.Select(c => Ms(c.Cadence.Interval)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<short[]> { TypedValue = changes.Select(c => (short)c.Cadence.Mode).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = changes.Select(c => Ms(c.Cadence.DesiredInterval)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = changes.Select(c => c.Cadence.Suppressed).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = changes.Select(c => catalog.Providers[c.Target.ProviderId].ProbeBudgetPerMinute).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Rows written after <paramref name="revision"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ProbeCadenceRow>> ChangedSinceAsync(long revision, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT target_id, base_interval_ms, interval_ms, mode, desired_interval_ms, suppressed, revision, budget_per_minute
            FROM probe_cadence WHERE revision > $1 ORDER BY revision
            """);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = revision });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<ProbeCadenceRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var interval = TimeSpan.FromMilliseconds(reader.GetInt64(2));
            var mode = Enum.IsDefined((ProbeMode)reader.GetInt16(3)) ? (ProbeMode)reader.GetInt16(3) : ProbeMode.Inference;
            var desired = reader.IsDBNull(4) ? interval : TimeSpan.FromMilliseconds(reader.GetInt64(4));
            rows.Add(new ProbeCadenceRow(
                new TargetId(reader.GetString(0)),
                TimeSpan.FromMilliseconds(reader.GetInt64(1)),
                new TargetCadence(interval, mode, desired, reader.GetBoolean(5)),
                reader.GetInt64(6),
                reader.IsDBNull(7) ? null : reader.GetInt32(7)));
        }

        return rows;
    }

    private static long Ms(TimeSpan value) => (long)Math.Ceiling(value.TotalMilliseconds);
}
