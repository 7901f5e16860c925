using System.Security.Claims;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Api.Auth;
using ControlPlane.Service.Breakers;
using ControlPlane.Service.Health;
using ControlPlane.Service.Overrides;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ControlPlane.Service.Api;

/// <summary>Breakers, routing table versions, the audit trail, and operator overrides.</summary>
public static class OperationsApi
{
    private static readonly TimeSpan MaxOverrideLifetime = TimeSpan.FromDays(30);

    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder endpoints)
    {
        var read = endpoints.MapGroup("/api").WithTags("Operations").RequireAuthorization(AdminPolicies.Read);
        read.MapGet("/breakers", GetBreakers).WithSummary("Breaker state of every target.");
        read.MapGet("/transitions", GetTransitions).WithSummary("Breaker transitions with their evidence, filtered by target, provider and time.");
        read.MapGet("/routing-tables", ListTableVersions).WithSummary("Routing table versions, newest first.");
        read.MapGet("/routing-tables/latest", (AuditQueries q, CancellationToken ct) => GetTableVersion(null, q, ct)).WithSummary("The latest routing table version.");
        read.MapGet("/routing-tables/{version:long}", (long version, AuditQueries q, CancellationToken ct) => GetTableVersion(version, q, ct)).WithSummary("One routing table version.");
        read.MapGet("/overrides", ListOverrides).WithSummary("Live overrides, and those that ended in the last 24 hours.");
        read.MapGet("/audit", GetAudit).WithSummary("Every state-changing API request, with the key that made it.");

        var operate = endpoints.MapGroup("/api").WithTags("Operations").RequireAuthorization(AdminPolicies.Operate);
        operate.MapPost("/overrides", CreateOverride).WithSummary("Drain a target or provider, force a breaker, pin a route, or schedule maintenance.");
        operate.MapDelete("/overrides/{id:guid}", CancelOverride).WithSummary("End an override now.");
        return endpoints;
    }

    private static async Task<Ok<IReadOnlyList<BreakerView>>> GetBreakers(BreakerStateView view, AuditQueries queries, ProviderCatalog catalog, CancellationToken ct) =>
        TypedResults.Ok(view.IsEmpty ? await queries.StoredBreakersAsync(catalog, ct) : view.All);

    private static async Task<Results<Ok<IReadOnlyList<TransitionView>>, ProblemHttpResult>> GetTransitions(
        string? target, string? provider, DateTimeOffset? from, DateTimeOffset? to, int? limit,
        ProviderCatalog catalog, AuditQueries queries, TimeProvider time, CancellationToken ct)
    {
        if (target is not null && !catalog.Targets.ContainsKey(new TargetId(target)))
        {
            return Problems.NotFound("Unknown target", $"No target '{target}' in the catalog.");
        }

        if (provider is not null && !catalog.Providers.ContainsKey(provider))
        {
            return Problems.NotFound("Unknown provider", $"No provider '{provider}' in the catalog.");
        }

        var end = to ?? time.GetUtcNow();
        var start = from ?? end - TimeSpan.FromDays(1);
        if (start >= end)
        {
            return Problems.BadRequest("Invalid time range", "'from' must be earlier than 'to'.");
        }

        if (limit is < 1 or > 10_000)
        {
            return Problems.BadRequest("Invalid limit", "limit must be between 1 and 10000.");
        }

        return TypedResults.Ok(await queries.TransitionsAsync(target, provider, start, end, limit ?? 1000, ct));
    }

    private static async Task<Results<Ok<IReadOnlyList<TableVersionView>>, ProblemHttpResult>> ListTableVersions(int? limit, AuditQueries queries, CancellationToken ct)
    {
        if (limit is < 1 or > 1000)
        {
            return Problems.BadRequest("Invalid limit", "limit must be between 1 and 1000.");
        }

        return TypedResults.Ok(await queries.TableVersionsAsync(limit ?? 50, ct));
    }

    private static async Task<Results<Ok<TableVersionView>, ProblemHttpResult>> GetTableVersion(long? version, AuditQueries queries, CancellationToken ct) =>
        await queries.TableVersionAsync(version, ct) is { } table
            ? TypedResults.Ok(table)
            : Problems.NotFound("No such routing table", version is null ? "No routing table has been computed yet." : $"There is no routing table version {version}.");

    private static async Task<Ok<IReadOnlyList<OverrideRecord>>> ListOverrides(OverrideStore store, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await store.ListAsync(time.GetUtcNow() - TimeSpan.FromDays(1), ct));

    private static async Task<Results<Ok<IReadOnlyList<AuditEntryView>>, ProblemHttpResult>> GetAudit(
        DateTimeOffset? from, DateTimeOffset? to, AuditQueries queries, TimeProvider time, CancellationToken ct)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end - TimeSpan.FromDays(7);
        return start >= end
            ? Problems.BadRequest("Invalid time range", "'from' must be earlier than 'to'.")
            : TypedResults.Ok(await queries.AuditAsync(start, end, 1000, ct));
    }

    private static async Task<Results<Created<OverrideRecord>, ValidationProblem>> CreateOverride(
        CreateOverrideRequest request, ClaimsPrincipal user, ProviderCatalog catalog, OverrideStore store, EvidenceSignal signal, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var errors = request.Validate(catalog, now, MaxOverrideLifetime);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid override");
        }

        var keyName = user.Identity?.Name ?? "unknown";
        var record = request.ToRecord(Guid.NewGuid(), keyName, now);
        await store.CreateAsync(record, ct);
        signal.Notify();
        return TypedResults.Created($"/api/overrides/{record.Id}", record);
    }

    private static async Task<Results<Ok<OverrideRecord>, ProblemHttpResult>> CancelOverride(
        Guid id, ClaimsPrincipal user, OverrideStore store, EvidenceSignal signal, TimeProvider time, CancellationToken ct)
    {
        var record = await store.CancelAsync(id, user.Identity?.Name ?? "unknown", time.GetUtcNow(), ct);
        if (record is null)
        {
            return Problems.NotFound("Unknown override", $"There is no override {id}.");
        }

        signal.Notify();
        return TypedResults.Ok(record);
    }
}

internal static class Problems
{
    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: title);

    public static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title);
}
