using Prometheus;

namespace ControlPlane.Gateway.Limits;

/// <summary>Concurrency-limit instruments, by target (targets come from the table, never the client).</summary>
internal static class LimitMetrics
{
    public static readonly Gauge Limit = Metrics.CreateGauge(
        "gateway_concurrency_limit", "Requests this gateway lets be in flight to a target at once (the adaptive limit under its ceiling).", "target");

    public static readonly Gauge InFlight = Metrics.CreateGauge(
        "gateway_concurrency_in_flight", "Requests in flight to a target from this gateway.", "target");

    public static readonly Counter Rejections = Metrics.CreateCounter(
        "gateway_concurrency_rejections_total",
        "Attempts not sent because of a target's concurrency limit, by target and reason (concurrency_limit: at the limit; " +
        "critical_reserve: a request that is not critical met the share kept for critical ones).",
        "target", "reason");
}
