using ControlPlane.Contracts;
using MassTransit;
using Prometheus;

namespace ControlPlane.Service.Subscribers;

/// <summary>Takes SubscriberStatus reports from gateways and SDKs (raw JSON on controlplane.subscriber-status).</summary>
internal sealed class SubscriberStatusConsumer(SubscriberStore store, CommittedTables committed, TimeProvider time) : IConsumer<SubscriberStatus>
{
    private static readonly Histogram Propagation = Metrics.CreateHistogram(
        "controlplane_propagation_seconds",
        "Time from a routing table version being committed to a subscriber reporting it applied.",
        new HistogramConfiguration { Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly Counter Rejections = Metrics.CreateCounter(
        "controlplane_subscriber_rejections_reported_total",
        "Table rejections reported by subscribers, each counted once, by reason (a closed set: RejectionReasons, or 'other').",
        "reason");

    static SubscriberStatusConsumer()
    {
        // Every series exists from the start, so a rate() over a first rejection is not lost to a missing series.
        foreach (var reason in RejectionReasons.All.Append(RejectionReasons.Other))
        {
            Rejections.WithLabels(reason);
        }
    }

    public async Task Consume(ConsumeContext<SubscriberStatus> context)
    {
        var status = context.Message;
        if (string.IsNullOrWhiteSpace(status.SubscriberId) || status.SubscriberId.Length > 200)
        {
            return; // Malformed report: nothing to attribute it to.
        }

        var foreign = await committed.ForeignReasonAsync(status.AppliedVersion, status.AppliedContentHash, context.CancellationToken);
        var recorded = await store.RecordAsync(status, time.GetUtcNow(), foreign, context.CancellationToken);
        if (recorded.VersionCommittedAt is { } committedAt && status.AppliedAt is { } applied)
        {
            Propagation.Observe(Math.Max(0, (applied - committedAt).TotalSeconds));
        }

        // Reports repeat the last rejection until the next one: count it when it is new, never again. The label is
        // mapped onto the closed set, so a forged table's key id or parser text never becomes a series.
        if (recorded.NewRejection && status.LastRejection is { } rejection)
        {
            Rejections.WithLabels(RejectionReasons.LabelOf(rejection.Reason)).Inc();
        }
    }
}
