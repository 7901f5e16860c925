using ControlPlane.Core.Probing;
using Prometheus;

namespace ControlPlane.Service.Probing;

/// <summary>Probe instruments. Labels stay low-cardinality: provider id, model, outcome wire name.</summary>
internal static class ProbeMetrics
{
    private static readonly double[] LatencyBuckets = Histogram.ExponentialBuckets(0.025, 2, 12); // 25 ms … ~51 s

    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "controlplane_probe_duration_seconds",
        "Duration of provider probes, from sending the request to the end of the response or the failure.",
        new HistogramConfiguration { LabelNames = ["provider", "model", "outcome"], Buckets = LatencyBuckets });

    public static readonly Histogram TimeToFirstToken = Metrics.CreateHistogram(
        "controlplane_probe_ttft_seconds",
        "Time to the first content event of streamed inference probes.",
        new HistogramConfiguration { LabelNames = ["provider", "model"], Buckets = LatencyBuckets });

    public static readonly Counter Total = Metrics.CreateCounter(
        "controlplane_probes_total",
        "Provider probes by outcome.",
        new CounterConfiguration { LabelNames = ["provider", "model", "outcome"] });

    public static void Record(ProbeSample sample)
    {
        var outcome = sample.Outcome.ToWireName();
        Duration.WithLabels(sample.ProviderId, sample.Model, outcome).Observe(sample.Latency.TotalSeconds);
        Total.WithLabels(sample.ProviderId, sample.Model, outcome).Inc();
        if (sample.TimeToFirstToken is { } ttft)
        {
            TimeToFirstToken.WithLabels(sample.ProviderId, sample.Model).Observe(ttft.TotalSeconds);
        }
    }
}
