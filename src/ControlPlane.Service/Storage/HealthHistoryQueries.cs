using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using Microsoft.EntityFrameworkCore;

namespace ControlPlane.Service.Storage;

/// <summary>Reads probe history back as Core types: raw samples for recent detail, minute rollups for long ranges.</summary>
public sealed class HealthHistoryQueries(IDbContextFactory<ControlPlaneDbContext> contextFactory)
{
    /// <summary>
    /// The most recent <paramref name="limit"/> samples of the target observed in [from, to), oldest first.
    /// </summary>
    public async Task<IReadOnlyList<ProbeSample>> GetSamplesAsync(
        TargetId target, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var (start, end) = (from.ToUniversalTime(), to.ToUniversalTime());
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await context.ProbeSamples
            .Where(s => s.TargetId == target.Value && s.ObservedAt >= start && s.ObservedAt < end)
            .OrderByDescending(s => s.ObservedAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
        rows.Reverse();
        return rows.ConvertAll(ToSample);
    }

    /// <summary>Every sample of every target observed at or after <paramref name="since"/>, in observation order
    /// (rebuilds the in-memory windows after a restart).</summary>
    public async Task<IReadOnlyList<ProbeSample>> GetRecentSamplesAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var start = since.ToUniversalTime();
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await context.ProbeSamples
            .Where(s => s.ObservedAt >= start)
            .OrderBy(s => s.ObservedAt)
            .ThenBy(s => s.TargetId)
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(ToSample);
    }

    /// <summary>
    /// Samples other replicas stored after <paramref name="ingestedAfter"/> (and observed after <paramref name="observedAfter"/>,
    /// which keeps the scan on recent partitions), in storage order, with the latest ingestion time seen.
    /// </summary>
    public async Task<(IReadOnlyList<ProbeSample> Samples, DateTimeOffset? LastIngestedAt)> GetIngestedSinceAsync(
        DateTimeOffset ingestedAfter, DateTimeOffset observedAfter, string excludeSource, int limit, CancellationToken cancellationToken = default)
    {
        var (ingested, observed) = (ingestedAfter.ToUniversalTime(), observedAfter.ToUniversalTime());
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await context.ProbeSamples
            .Where(s => s.IngestedAt > ingested && s.ObservedAt > observed && s.Source != excludeSource)
            .OrderBy(s => s.IngestedAt)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return (rows.ConvertAll(ToSample), rows.Count == 0 ? null : rows[^1].IngestedAt);
    }

    /// <summary>The target's minute rollups whose bucket starts in [from, to), oldest first.</summary>
    public async Task<IReadOnlyList<MinuteRollup>> GetRollupsAsync(
        TargetId target, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default)
    {
        var (start, end) = (from.ToUniversalTime(), to.ToUniversalTime());
        await using var context = await contextFactory.CreateDbContextAsync(cancellationToken);
        var rows = await context.ProbeRollups
            .Where(r => r.TargetId == target.Value && r.BucketStart >= start && r.BucketStart < end)
            .OrderBy(r => r.BucketStart)
            .ToListAsync(cancellationToken);
        return rows.ConvertAll(ToRollup);
    }

    private static ProbeSample ToSample(ProbeSampleRow row) => new(
        new TargetId(row.TargetId),
        row.ProviderId,
        row.Model,
        (ProbeOutcome)row.Outcome,
        row.ObservedAt,
        Milliseconds(row.LatencyMs),
        row.TtftMs is { } ttft ? Milliseconds(ttft) : null,
        row.HttpStatus,
        row.RetryAfterMs is { } retryAfter ? TimeSpan.FromMilliseconds(retryAfter) : null,
        row.Detail,
        (ProbeMode)row.Mode,
        row.InputTokens is null && row.OutputTokens is null && row.ReasoningTokens is null
            ? null
            : new ProbeUsage(row.InputTokens ?? 0, row.OutputTokens ?? 0, row.ReasoningTokens ?? 0));

    private static MinuteRollup ToRollup(ProbeRollupRow row) => new(
        new TargetId(row.TargetId),
        row.ProviderId,
        row.Model,
        row.BucketStart,
        row.Total,
        new Dictionary<ProbeOutcome, int>
        {
            [ProbeOutcome.Success] = row.Success,
            [ProbeOutcome.Slow] = row.Slow,
            [ProbeOutcome.Overloaded] = row.Overloaded,
            [ProbeOutcome.RateLimited] = row.RateLimited,
            [ProbeOutcome.QuotaExceeded] = row.QuotaExceeded,
            [ProbeOutcome.ServerError] = row.ServerError,
            [ProbeOutcome.Timeout] = row.Timeout,
            [ProbeOutcome.ConnectFailure] = row.ConnectFailure,
            [ProbeOutcome.AuthFailure] = row.AuthFailure,
            [ProbeOutcome.BadRequest] = row.BadRequest,
            [ProbeOutcome.StreamError] = row.StreamError,
            [ProbeOutcome.MalformedResponse] = row.MalformedResponse,
        },
        OptionalMilliseconds(row.LatencyP50Ms),
        OptionalMilliseconds(row.LatencyP95Ms),
        OptionalMilliseconds(row.LatencyP99Ms),
        OptionalMilliseconds(row.TtftP50Ms),
        OptionalMilliseconds(row.TtftP95Ms));

    // Exact to the tick, unlike TimeSpan.FromMilliseconds(double) rounding on older runtimes.
    private static TimeSpan Milliseconds(double ms) => TimeSpan.FromTicks((long)Math.Round(ms * TimeSpan.TicksPerMillisecond));

    private static TimeSpan? OptionalMilliseconds(double? ms) => ms is { } value ? Milliseconds(value) : null;
}
