using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Api.Auth;
using ControlPlane.Service.Health;
using ControlPlane.Service.Probing.Scheduling;
using ControlPlane.Service.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ControlPlane.Service.Api;

/// <summary>Read API over targets, their recent health and their history.</summary>
public static class HealthApi
{
    private const int MaxSampleLimit = 10_000;
    private static readonly TimeSpan MaxSampleRange = TimeSpan.FromDays(7);
    private static readonly TimeSpan MaxRollupRange = TimeSpan.FromDays(93);

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Health").RequireAuthorization(AdminPolicies.Read);
        api.MapGet("/targets", ListTargets).WithName("ListTargets").WithSummary("Every target with its latest sample and window statistics.");
        api.MapGet("/samples", GetSamples).WithName("GetSamples").WithSummary("Raw probe samples of one target over a time range (newest last).");
        api.MapGet("/rollups", GetRollups).WithName("GetRollups").WithSummary("One-minute rollups of one target over a time range.");
        return endpoints;
    }

    private static async Task<Ok<IReadOnlyList<TargetView>>> ListTargets(
        ProviderCatalog catalog, LatestSamples latest, HealthRecorder health, ProbeCadences cadences, ProbeSpendQueries spendQueries,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var spend = await spendQueries.TryGetAsync(time.GetUtcNow(), cancellationToken);
        var views = catalog.Targets.Values
            .OrderBy(t => t.Id)
            .Select(t => new TargetView(
                t.Id.Value,
                t.ProviderId,
                t.Model,
                catalog.Providers[t.ProviderId].Kind.ToName(),
                t.Probe.Mode.ToString().ToLowerInvariant(),
                t.Probe.Interval.TotalSeconds,
                latest.For(t.Id) is { } sample ? SampleView.From(sample) : null,
                health.WindowFor(t.Id),
                ProbeCadenceView.From(cadences.Current(t)))
            {
                Spend = SpendView.For(t, spend),
            })
            .ToList();
        return TypedResults.Ok<IReadOnlyList<TargetView>>(views);
    }

    private static async Task<Results<Ok<IReadOnlyList<SampleView>>, ProblemHttpResult>> GetSamples(
        string? target, DateTimeOffset? from, DateTimeOffset? to, int? limit,
        ProviderCatalog catalog, HealthHistoryQueries history, TimeProvider time, CancellationToken cancellationToken)
    {
        var problem = ValidateQuery(catalog, target, from, to, time, MaxSampleRange, out var id, out var range);
        if (limit is < 1 or > MaxSampleLimit)
        {
            problem ??= Problems.BadRequest("Invalid limit", $"limit must be between 1 and {MaxSampleLimit}.");
        }

        if (problem is not null)
        {
            return problem;
        }

        var samples = await history.GetSamplesAsync(id, range.From, range.To, limit ?? 1000, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<SampleView>>(samples.Select(SampleView.From).ToList());
    }

    private static async Task<Results<Ok<IReadOnlyList<RollupView>>, ProblemHttpResult>> GetRollups(
        string? target, DateTimeOffset? from, DateTimeOffset? to,
        ProviderCatalog catalog, HealthHistoryQueries history, TimeProvider time, CancellationToken cancellationToken)
    {
        var problem = ValidateQuery(catalog, target, from, to, time, MaxRollupRange, out var id, out var range);
        if (problem is not null)
        {
            return problem;
        }

        var rollups = await history.GetRollupsAsync(id, range.From, range.To, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RollupView>>(rollups.Select(RollupView.From).ToList());
    }

    private static ProblemHttpResult? ValidateQuery(
        ProviderCatalog catalog, string? target, DateTimeOffset? from, DateTimeOffset? to, TimeProvider time, TimeSpan maxRange,
        out TargetId id, out (DateTimeOffset From, DateTimeOffset To) range)
    {
        id = new TargetId(target ?? "");
        var end = to ?? time.GetUtcNow();
        range = (from ?? end - TimeSpan.FromHours(1), end);

        if (string.IsNullOrWhiteSpace(target))
        {
            return Problems.BadRequest("Missing target", "The query parameter 'target' is required (a target id such as 'anthropic/claude-sonnet-4-5').");
        }

        if (!catalog.Targets.ContainsKey(id))
        {
            return Problems.NotFound("Unknown target", $"No target '{target}' in the catalog.");
        }

        if (range.From >= range.To)
        {
            return Problems.BadRequest("Invalid time range", "'from' must be earlier than 'to'.");
        }

        if (range.To - range.From > maxRange)
        {
            return Problems.BadRequest("Invalid time range", $"The time range may span at most {maxRange.TotalDays:0} days.");
        }

        return null;
    }
}

public sealed record TargetView(
    string Id,
    string Provider,
    string Model,
    string Kind,
    string ProbeMode,
    double ProbeIntervalSeconds,
    SampleView? LastSample,
    WindowView? Window,
    ProbeCadenceView? Cadence = null)
{
    /// <summary>What the target's probes spent; null when Postgres could not be read.</summary>
    public SpendView? Spend { get; init; }
}

/// <summary>How the target is probed now (ProbeMode and ProbeIntervalSeconds are the catalog's).</summary>
/// <param name="DesiredIntervalSeconds">What adaptive probing asked for, before the provider's probe budget.</param>
/// <param name="Suppressed">Gateway traffic covers the target: list-models liveness probes instead of inference.</param>
/// <param name="BudgetLimited">The provider's ProbeBudgetPerMinute binds: probed less often than adaptive probing asked.</param>
public sealed record ProbeCadenceView(string Mode, double IntervalSeconds, double DesiredIntervalSeconds, bool Suppressed, bool BudgetLimited)
{
    public static ProbeCadenceView From(TargetCadence c) => new(
        c.Mode.ToString().ToLowerInvariant(), c.Interval.TotalSeconds, c.DesiredInterval.TotalSeconds, c.Suppressed, c.BudgetLimited);
}

public sealed record SampleView(
    string Target,
    string Outcome,
    DateTimeOffset ObservedAt,
    double LatencyMs,
    double? TimeToFirstTokenMs,
    int? HttpStatus,
    double? RetryAfterSeconds,
    string? Detail,
    string Mode = "inference")
{
    /// <summary>The tokens the answer reported; null when it reported none.</summary>
    public UsageView? Usage { get; init; }

    public static SampleView From(ProbeSample s) => new(
        s.Target.Value,
        s.Outcome.ToWireName(),
        s.ObservedAt,
        s.Latency.TotalMilliseconds,
        s.TimeToFirstToken?.TotalMilliseconds,
        s.HttpStatus,
        s.RetryAfter?.TotalSeconds,
        s.Detail,
        s.Mode.ToString().ToLowerInvariant())
    {
        Usage = s.Usage is { } usage ? new UsageView(usage.InputTokens, usage.OutputTokens, usage.ReasoningTokens) : null,
    };
}

/// <summary>A minute rollup in the API's vocabulary: outcome wire names and milliseconds, like <see cref="SampleView"/>.</summary>
public sealed record RollupView(
    string Target,
    string Provider,
    string Model,
    DateTimeOffset BucketStart,
    int Total,
    int Available,
    IReadOnlyDictionary<string, int> Counts,
    double? LatencyP50Ms,
    double? LatencyP95Ms,
    double? LatencyP99Ms,
    double? TimeToFirstTokenP50Ms,
    double? TimeToFirstTokenP95Ms)
{
    public static RollupView From(MinuteRollup r) => new(
        r.Target.Value,
        r.ProviderId,
        r.Model,
        r.BucketStart,
        r.Total,
        r.Available,
        ProbeOutcomes.All.ToDictionary(o => o.ToWireName(), o => r.Counts.GetValueOrDefault(o)),
        r.LatencyP50?.TotalMilliseconds,
        r.LatencyP95?.TotalMilliseconds,
        r.LatencyP99?.TotalMilliseconds,
        r.TimeToFirstTokenP50?.TotalMilliseconds,
        r.TimeToFirstTokenP95?.TotalMilliseconds);
}
