using System.Data.Common;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Storage;

/// <summary>Tokens one target's probes spent over the last 24 hours and the last 30 days.</summary>
public sealed record TargetTokenSpend(TokenTotals Last24Hours, TokenTotals Last30Days);

/// <summary>
/// Sums what probes spent per target. Minutes the rollup has settled are read from the minute rollups (30 days of raw
/// samples may already be dropped, and scanning them would be slow); only the last few minutes, which the rollup may
/// still recompute, are read from the raw samples. Windows are whole minutes, so "24 hours" starts at a minute boundary.
/// </summary>
public sealed class ProbeSpendQueries(NpgsqlDataSource dataSource, IOptions<StorageOptions> options, ILogger<ProbeSpendQueries> logger)
{
    /// <summary>How long the API's spend may be old.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    // Replaced whole, never mutated: concurrent readers see one snapshot or the next (two concurrent misses both query).
    private volatile Snapshot? _cached;

    private const string Sql = """
        WITH spent AS (
            SELECT target_id, bucket_start AS at, input_tokens, output_tokens, reasoning_tokens
            FROM probe_rollups_1m
            WHERE bucket_start >= $1 AND bucket_start < $3
            UNION ALL
            SELECT target_id, observed_at, coalesce(input_tokens, 0), coalesce(output_tokens, 0), coalesce(reasoning_tokens, 0)
            FROM probe_samples
            WHERE observed_at >= $3 AND (input_tokens IS NOT NULL OR output_tokens IS NOT NULL OR reasoning_tokens IS NOT NULL)
        )
        SELECT target_id,
               coalesce(sum(input_tokens) FILTER (WHERE at >= $2), 0)::bigint,
               coalesce(sum(output_tokens) FILTER (WHERE at >= $2), 0)::bigint,
               coalesce(sum(reasoning_tokens) FILTER (WHERE at >= $2), 0)::bigint,
               sum(input_tokens)::bigint,
               sum(output_tokens)::bigint,
               sum(reasoning_tokens)::bigint
        FROM spent
        GROUP BY target_id
        """;

    /// <summary>Every target that spent anything in the last 30 days; a target not in the answer spent nothing.</summary>
    public async Task<IReadOnlyDictionary<TargetId, TargetTokenSpend>> GetAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var utc = now.ToUniversalTime();

        // Buckets older than one rollup pass plus its lookback are final; newer ones come from the raw rows.
        var settled = RollupCalculator.FloorToMinute(utc - options.Value.RollupLookback - options.Value.RollupInterval);
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = RollupCalculator.FloorToMinute(utc - TimeSpan.FromDays(30)) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = RollupCalculator.FloorToMinute(utc - TimeSpan.FromDays(1)) });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = settled });

        var result = new Dictionary<TargetId, TargetTokenSpend>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result[new TargetId(reader.GetString(0))] = new TargetTokenSpend(
                new TokenTotals(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)),
                new TokenTotals(reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)));
        }

        return result;
    }

    /// <summary>
    /// As <see cref="GetAsync"/>, but read at most once per <see cref="CacheFor"/> (30 days of rollups are not free to
    /// sum, and a dashboard may poll the targets view), or null when Postgres cannot answer: spend is an extra on views
    /// that must keep working during an incident, when the database may be the thing that is down.
    /// </summary>
    public async Task<IReadOnlyDictionary<TargetId, TargetTokenSpend>?> TryGetAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (_cached is { } cached && now >= cached.At && now - cached.At < CacheFor)
        {
            return cached.Spend;
        }

        try
        {
            var spend = await GetAsync(now, cancellationToken);
            _cached = new Snapshot(now, spend);
            return spend;
        }
        catch (DbException ex)
        {
            Log.SpendQueryFailed(logger, ex);
            return null;
        }
    }

    private sealed record Snapshot(DateTimeOffset At, IReadOnlyDictionary<TargetId, TargetTokenSpend> Spend);
}
