using Npgsql;

namespace ControlPlane.Service.Storage;

/// <summary>
/// Computes one-minute rollups per target from the raw samples with a single INSERT … SELECT … ON CONFLICT:
/// recomputing a range replaces its buckets with the same numbers plus whatever arrived late, so it is
/// idempotent and replicas may run it concurrently.
/// </summary>
public sealed class RollupCalculator(NpgsqlDataSource dataSource, TimeProvider timeProvider)
{
    // Counts are spelled out per ProbeOutcome value (see ControlPlane.Core.Probing.ProbeOutcome).
    private const string UpsertSql = """
        INSERT INTO probe_rollups_1m AS r (
            target_id, bucket_start, provider_id, model, total,
            success, slow, overloaded, rate_limited, quota_exceeded, server_error, timeout,
            connect_failure, auth_failure, bad_request, stream_error, malformed_response,
            latency_p50_ms, latency_p95_ms, latency_p99_ms, ttft_p50_ms, ttft_p95_ms, updated_at,
            input_tokens, output_tokens, reasoning_tokens)
        SELECT
            s.target_id,
            date_trunc('minute', s.observed_at, 'UTC') AS bucket_start,
            max(s.provider_id),
            max(s.model),
            count(*),
            count(*) FILTER (WHERE s.outcome = 0),
            count(*) FILTER (WHERE s.outcome = 1),
            count(*) FILTER (WHERE s.outcome = 2),
            count(*) FILTER (WHERE s.outcome = 3),
            count(*) FILTER (WHERE s.outcome = 4),
            count(*) FILTER (WHERE s.outcome = 5),
            count(*) FILTER (WHERE s.outcome = 6),
            count(*) FILTER (WHERE s.outcome = 7),
            count(*) FILTER (WHERE s.outcome = 8),
            count(*) FILTER (WHERE s.outcome = 9),
            count(*) FILTER (WHERE s.outcome = 10),
            count(*) FILTER (WHERE s.outcome = 11),
            percentile_cont(0.50) WITHIN GROUP (ORDER BY s.latency_ms),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY s.latency_ms),
            percentile_cont(0.99) WITHIN GROUP (ORDER BY s.latency_ms),
            percentile_cont(0.50) WITHIN GROUP (ORDER BY s.ttft_ms),
            percentile_cont(0.95) WITHIN GROUP (ORDER BY s.ttft_ms),
            $3,
            coalesce(sum(s.input_tokens), 0),
            coalesce(sum(s.output_tokens), 0),
            coalesce(sum(s.reasoning_tokens), 0)
        FROM probe_samples s
        WHERE s.observed_at >= $1 AND s.observed_at < $2
        GROUP BY s.target_id, date_trunc('minute', s.observed_at, 'UTC')
        ON CONFLICT (target_id, bucket_start) DO UPDATE SET
            provider_id = EXCLUDED.provider_id,
            model = EXCLUDED.model,
            total = EXCLUDED.total,
            success = EXCLUDED.success,
            slow = EXCLUDED.slow,
            overloaded = EXCLUDED.overloaded,
            rate_limited = EXCLUDED.rate_limited,
            quota_exceeded = EXCLUDED.quota_exceeded,
            server_error = EXCLUDED.server_error,
            timeout = EXCLUDED.timeout,
            connect_failure = EXCLUDED.connect_failure,
            auth_failure = EXCLUDED.auth_failure,
            bad_request = EXCLUDED.bad_request,
            stream_error = EXCLUDED.stream_error,
            malformed_response = EXCLUDED.malformed_response,
            latency_p50_ms = EXCLUDED.latency_p50_ms,
            latency_p95_ms = EXCLUDED.latency_p95_ms,
            latency_p99_ms = EXCLUDED.latency_p99_ms,
            ttft_p50_ms = EXCLUDED.ttft_p50_ms,
            ttft_p95_ms = EXCLUDED.ttft_p95_ms,
            updated_at = EXCLUDED.updated_at,
            input_tokens = EXCLUDED.input_tokens,
            output_tokens = EXCLUDED.output_tokens,
            reasoning_tokens = EXCLUDED.reasoning_tokens
        -- Unchanged buckets are left alone: no dead tuples for the minutes nothing new arrived in.
        WHERE (r.total, r.latency_p50_ms, r.latency_p95_ms, r.latency_p99_ms, r.ttft_p50_ms, r.ttft_p95_ms)
              IS DISTINCT FROM (EXCLUDED.total, EXCLUDED.latency_p50_ms, EXCLUDED.latency_p95_ms,
                                EXCLUDED.latency_p99_ms, EXCLUDED.ttft_p50_ms, EXCLUDED.ttft_p95_ms)
           OR (r.success, r.slow, r.overloaded, r.rate_limited, r.quota_exceeded, r.server_error, r.timeout,
               r.connect_failure, r.auth_failure, r.bad_request, r.stream_error, r.malformed_response)
              IS DISTINCT FROM (EXCLUDED.success, EXCLUDED.slow, EXCLUDED.overloaded, EXCLUDED.rate_limited,
                                EXCLUDED.quota_exceeded, EXCLUDED.server_error, EXCLUDED.timeout,
                                EXCLUDED.connect_failure, EXCLUDED.auth_failure, EXCLUDED.bad_request,
                                EXCLUDED.stream_error, EXCLUDED.malformed_response)
           OR (r.input_tokens, r.output_tokens, r.reasoning_tokens)
              IS DISTINCT FROM (EXCLUDED.input_tokens, EXCLUDED.output_tokens, EXCLUDED.reasoning_tokens)
        """;

    /// <summary>
    /// Recomputes every minute bucket that overlaps [from, to). The range is widened to whole minutes: a
    /// bucket computed from part of its samples would overwrite the complete one.
    /// </summary>
    /// <returns>The number of buckets inserted or changed.</returns>
    public async Task<int> ComputeAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var start = FloorToMinute(from.ToUniversalTime());
        var end = CeilingToMinute(to.ToUniversalTime());
        if (end <= start)
        {
            return 0;
        }

        await using var command = dataSource.CreateCommand(UpsertSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = start });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = end });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = timeProvider.GetUtcNow().ToUniversalTime() });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The start of the newest rollup bucket, if any.</summary>
    public async Task<DateTimeOffset?> GetLatestBucketAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT max(bucket_start) FROM probe_rollups_1m");
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime latest
            ? new DateTimeOffset(DateTime.SpecifyKind(latest, DateTimeKind.Utc))
            : null;
    }

    internal static DateTimeOffset FloorToMinute(DateTimeOffset value) =>
        new(value.Ticks - (value.Ticks % TimeSpan.TicksPerMinute), value.Offset);

    internal static DateTimeOffset CeilingToMinute(DateTimeOffset value)
    {
        var floor = FloorToMinute(value);
        return floor == value ? value : floor.AddMinutes(1);
    }
}
