using ControlPlane.Core.Catalog;
using Npgsql;

namespace ControlPlane.Service.Probing.Scheduling;

public sealed record ProbeCadenceRow(TargetId Target, TimeSpan BaseInterval, TimeSpan Interval, long Revision);

/// <summary>The probe_cadence table: the leader writes the intervals adaptive probing chose; every replica reads them.</summary>
public sealed class ProbeCadenceStore(NpgsqlDataSource dataSource)
{
    /// <summary>Writes the given intervals in one statement, each under a new revision.</summary>
    public async Task SaveAsync(IReadOnlyCollection<(TargetDefinition Target, TimeSpan Interval)> changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }

        await using var command = dataSource.CreateCommand(
            """
            INSERT INTO probe_cadence (target_id, base_interval_ms, interval_ms, updated_at)
            SELECT t, b, i, $4 FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS c(t, b, i)
            ON CONFLICT (target_id) DO UPDATE SET base_interval_ms = EXCLUDED.base_interval_ms,
                interval_ms = EXCLUDED.interval_ms, revision = nextval('probe_cadence_revision_seq'), updated_at = EXCLUDED.updated_at
            """);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = changes.Select(c => c.Target.Id.Value).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = changes.Select(c => (long)c.Target.Probe.Interval.TotalMilliseconds).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = changes.Select(c => (long)c.Interval.TotalMilliseconds).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Rows written after <paramref name="revision"/>, oldest first.</summary>
    public async Task<IReadOnlyList<ProbeCadenceRow>> ChangedSinceAsync(long revision, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT target_id, base_interval_ms, interval_ms, revision FROM probe_cadence WHERE revision > $1 ORDER BY revision");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = revision });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<ProbeCadenceRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ProbeCadenceRow(
                new TargetId(reader.GetString(0)),
                TimeSpan.FromMilliseconds(reader.GetInt64(1)),
                TimeSpan.FromMilliseconds(reader.GetInt64(2)),
                reader.GetInt64(3)));
        }

        return rows;
    }
}
