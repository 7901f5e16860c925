using Prometheus;

namespace ControlPlane.Hosting;

/// <summary>Metrics settings both hosts apply: the control plane and the gateway.</summary>
public static class MetricsDefaults
{
    /// <summary>
    /// prometheus-net republishes every System.Diagnostics.Metrics instrument by default, the runtime's HttpClient and
    /// Kestrel ones included, with a label-set lookup on every request: about a fifth of the control plane's CPU at 1,000
    /// probes a second, and as much per proxied request on the gateway. No dashboard or rule reads those series (ours
    /// are the controlplane_ and gateway_ instruments, plus process and runtime collectors, which stay).
    /// Call before the first scrape.
    /// </summary>
    public static void SkipRuntimeMeters() =>
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressMeters = true });
}
