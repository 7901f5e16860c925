using Prometheus;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>The gateway's instruments. Labels stay low-cardinality: routes and targets come from the table, never the client.</summary>
internal static class GatewayMetrics
{
    /// <summary>Route label for requests that named no known route.</summary>
    public const string UnknownRoute = "unknown";

    public static readonly Counter Requests = Metrics.CreateCounter(
        "gateway_requests_total",
        "Client requests by route, api and final result (success, client_error, upstream_failed, stream_error, rejected, cache_hit, cache_stale, concurrency_limited).",
        "route", "api", "result");

    public static readonly Counter Attempts = Metrics.CreateCounter(
        "gateway_upstream_attempts_total",
        "Upstream attempts by route, target and outcome (the traffic-report outcome names, plus client_error).",
        "route", "target", "outcome");

    public static readonly Counter Retries = Metrics.CreateCounter(
        "gateway_safety_net_retries_total",
        "Requests moved to the next target before the first byte reached the client, by route and the outcome that caused it.",
        "route", "outcome");

    public static readonly Counter UntranslatableSkips = Metrics.CreateCounter(
        "gateway_untranslatable_skips_total",
        "Targets skipped because their API cannot express the request faithfully, by route, target and reason (native_only, not_translatable).",
        "route", "target", "reason");

    public static readonly Counter Translations = Metrics.CreateCounter(
        "gateway_translated_requests_total",
        "Answers served through API translation, by the client's API and the target's API.",
        "from", "to");

    public static readonly Counter LocalBreakerSkips = Metrics.CreateCounter(
        "gateway_local_breaker_skips_total", "Targets skipped by the local passive breaker while the table was stale.", "target");

    public static readonly Histogram AddedLatency = Metrics.CreateHistogram(
        "gateway_added_latency_seconds",
        "Gateway time to first byte minus the answering upstream's time to response headers (includes failed attempts).",
        new HistogramConfiguration
        {
            LabelNames = ["api"],
            Buckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    public static readonly Histogram UpstreamTimeToFirstByte = Metrics.CreateHistogram(
        "gateway_upstream_ttfb_seconds",
        "Time from sending to an upstream to its response headers, by target.",
        new HistogramConfiguration { LabelNames = ["target"], Buckets = Histogram.ExponentialBuckets(0.005, 2, 14) });

    public static readonly Gauge TableVersion = Metrics.CreateGauge(
        "gateway_routing_table_version", "Version of the routing table in force (0 = none).");

    public static readonly Gauge TableStaleness = Metrics.CreateGauge(
        "gateway_routing_table_staleness_seconds", "How stale the routing table may be (0 while subscribed; -1 = no table or contact yet).");

    public static readonly Gauge TableConnected = Metrics.CreateGauge(
        "gateway_routing_table_subscribed", "1 while the broker subscription is up.");

    public static readonly Counter TrafficReports = Metrics.CreateCounter(
        "gateway_traffic_reports_total", "Traffic reports by result (published, dropped).", "result");
}
