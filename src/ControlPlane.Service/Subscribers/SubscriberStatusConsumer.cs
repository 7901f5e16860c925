using ControlPlane.Contracts;
using MassTransit;
using Prometheus;

namespace ControlPlane.Service.Subscribers;

/// <summary>Takes SubscriberStatus reports from gateways and SDKs (raw JSON on controlplane.subscriber-status).</summary>
internal sealed class SubscriberStatusConsumer(SubscriberStore store, TimeProvider time) : IConsumer<SubscriberStatus>
{
    private static readonly Histogram Propagation = Metrics.CreateHistogram(
        "controlplane_propagation_seconds",
        "Time from a routing table version being committed to a subscriber reporting it applied.",
        new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly Counter Rejections = Metrics.CreateCounter(
        "controlplane_subscriber_rejections_reported_total", "Table rejections reported by subscribers, by reason.", "reason");

    public async Task Consume(ConsumeContext<SubscriberStatus> context)
    {
        var status = context.Message;
        if (string.IsNullOrWhiteSpace(status.SubscriberId) || status.SubscriberId.Length > 200)
        {
            return; // Malformed report: nothing to attribute it to.
        }

        var committedAt = await store.RecordAsync(status, time.GetUtcNow(), context.CancellationToken);
        if (committedAt is { } committed && status.AppliedAt is { } applied)
        {
            Propagation.Observe(Math.Max(0, (applied - committed).TotalSeconds));
        }

        if (status.LastRejection is { } rejection && rejection.At >= status.ReportedAt - TimeSpan.FromSeconds(1))
        {
            Rejections.WithLabels(rejection.Reason).Inc();
        }
    }
}
