using ControlPlane.Service.Api.Auth;
using ControlPlane.Service.Publishing;
using ControlPlane.Service.Subscribers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Api;

/// <summary>The signed routing table snapshot subscribers bootstrap from, the fleet's convergence, and the public key.</summary>
public static class DistributionApi
{
    public static IEndpointRouteBuilder MapDistributionApi(this IEndpointRouteBuilder endpoints)
    {
        // The snapshot is what every subscriber fetches on (re)connect; it is signed, so it needs no key to be trusted.
        endpoints.MapGet("/api/routing-table", GetSnapshot)
            .WithTags("Distribution")
            .WithSummary("The latest signed RoutingTableChanged message (the same JSON that is published).");

        var read = endpoints.MapGroup("/api").WithTags("Distribution").RequireAuthorization(AdminPolicies.Read);
        read.MapGet("/subscribers", GetSubscribers).WithSummary("Every subscriber seen in the last day: applied version, lag, rejections.");
        read.MapGet("/signing-keys", (RoutingTableSigning signing) => TypedResults.Ok(new[] { new SigningKeyView(signing.KeyId, signing.PublicKeyPem) }))
            .WithSummary("The public key tables are signed with. Distribute trust out of band; this is for checking.");
        return endpoints;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetSnapshot(
        NpgsqlDataSource dataSource, SnapshotCache cache, CancellationToken ct)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT version, payload FROM routing_outbox ORDER BY version DESC LIMIT 1");
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return Problems.NotFound("No routing table yet", "The control plane has not computed a routing table yet; retry shortly.");
            }

            var payload = reader.GetString(1);
            cache.Offer(reader.GetInt64(0), payload);
            return TypedResults.Text(payload, "application/json");
        }
        catch (Exception e) when ((e is NpgsqlException or TimeoutException) && !ct.IsCancellationRequested)
        {
            // Postgres is away: serve the newest version this replica read. Nothing newer can be committed without
            // Postgres, and a subscriber already holding something newer ignores it (it never regresses).
            return cache.Payload is { } payload
                ? TypedResults.Text(payload, "application/json")
                : TypedResults.Problem("Postgres is unreachable and this replica has not read a routing table yet; retry shortly.",
                    statusCode: StatusCodes.Status503ServiceUnavailable, title: "Routing table unavailable");
        }
    }

    private static async Task<Ok<FleetConvergence>> GetSubscribers(
        SubscriberStore store, IOptions<SubscriberOptions> options, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await store.FleetAsync(time.GetUtcNow(), options.Value.LiveWindow, ct));
}

public sealed record SigningKeyView(string KeyId, string PublicKeyPem);
