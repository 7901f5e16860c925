using Prometheus;

namespace ControlPlane.Gateway.Caching;

/// <summary>The response cache's instruments.</summary>
internal static class CacheMetrics
{
    public const string Hit = "hit";
    public const string StaleHit = "stale_hit";
    public const string Miss = "miss";
    public const string Stored = "stored";
    public const string Skipped = "skipped";

    public static readonly Counter Requests = Metrics.CreateCounter(
        "gateway_cache_requests_total",
        "Response-cache decisions on routes with a cache, by route and result: hit (fresh answer served before any target), " +
        "stale_hit (served because every target failed), miss (looked up, nothing fresh), stored (an answer kept), " +
        "skipped (not cacheable: sampled request, answer too large or encoded).",
        "route", "result");

    public static readonly Gauge Bytes = Metrics.CreateGauge(
        "gateway_cache_bytes", "Bytes held by the response cache (answers plus a fixed overhead per entry).");

    public static readonly Gauge Entries = Metrics.CreateGauge(
        "gateway_cache_entries", "Answers held by the response cache.");
}
