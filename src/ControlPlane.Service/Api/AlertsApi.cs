using ControlPlane.Core.Alerts;
using ControlPlane.Service.Alerts;
using ControlPlane.Service.Api.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ControlPlane.Service.Api;

/// <summary>Active and recent alerts, the delivery history, and test-firing a sink.</summary>
public static class AlertsApi
{
    private static readonly string[] Statuses = ["pending", "delivered", "failed"];

    public sealed record TestAlertAccepted(Guid Id, string Sink, string DedupKey);

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder endpoints)
    {
        var read = endpoints.MapGroup("/api/alerts").WithTags("Alerts").RequireAuthorization(AdminPolicies.Read);
        read.MapGet("", GetAlerts).WithSummary("Active alerts, and every trigger and resolve of the last 24 hours (newest first).");
        read.MapGet("/deliveries", GetDeliveries).WithSummary("Delivery history, newest first, filtered by sink and status.");

        var operate = endpoints.MapGroup("/api/alerts").WithTags("Alerts").RequireAuthorization(AdminPolicies.Operate);
        operate.MapPost("/test/{sink}", FireTest).WithSummary("Send a test alert to one sink (delivered by the leader like any alert).");
        return endpoints;
    }

    private static async Task<Results<Ok<AlertsView>, ProblemHttpResult>> GetAlerts(int? limit, AlertStore store, TimeProvider time, CancellationToken ct)
    {
        if (limit is < 1 or > 1000)
        {
            return Problems.BadRequest("Invalid limit", "limit must be between 1 and 1000.");
        }

        return TypedResults.Ok(await store.AlertsAsync(time.GetUtcNow() - TimeSpan.FromDays(1), limit ?? 200, ct));
    }

    private static async Task<Results<Ok<IReadOnlyList<DeliveryView>>, ProblemHttpResult>> GetDeliveries(
        string? sink, string? status, int? limit, AlertSinkRegistry sinks, AlertStore store, CancellationToken ct)
    {
        if (sink is not null && sinks.Find(sink) is null)
        {
            return Problems.NotFound("Unknown sink", $"No sink '{sink}' is configured under Alerts:Sinks.");
        }

        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            return Problems.BadRequest("Invalid status", "status must be one of pending, delivered, failed.");
        }

        if (limit is < 1 or > 10_000)
        {
            return Problems.BadRequest("Invalid limit", "limit must be between 1 and 10000.");
        }

        return TypedResults.Ok(await store.DeliveriesAsync(sink, status, limit ?? 500, ct));
    }

    private static async Task<Results<Accepted<TestAlertAccepted>, ProblemHttpResult>> FireTest(
        string sink, AlertSinkRegistry sinks, AlertStore store, AlertSignal signal, TimeProvider time, CancellationToken ct)
    {
        if (sinks.Find(sink) is null)
        {
            return Problems.NotFound("Unknown sink", $"No sink '{sink}' is configured under Alerts:Sinks.");
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var alert = new AlertCondition($"test:{sink}:{id:N}", AlertKind.Test, $"Test alert for sink {sink} from the ControlPlane admin API");
        await store.InsertAsync(new AlertRecord(id, new AlertEvent(AlertAction.Trigger, alert, now), [sink]), ct);
        signal.Notify();
        return TypedResults.Accepted($"/api/alerts/deliveries?sink={Uri.EscapeDataString(sink)}", new TestAlertAccepted(id, sink, alert.Key));
    }
}
