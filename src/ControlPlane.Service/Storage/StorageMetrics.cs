using Prometheus;

namespace ControlPlane.Service.Storage;

internal static class StorageMetrics
{
    public static readonly Counter SamplesIngested = Metrics.CreateCounter(
        "controlplane_samples_ingested_total",
        "Probe samples written to Postgres.");

    /// <summary>reason: queue_full (refused at the sink), buffer_full (oldest evicted while Postgres was failing),
    /// rejected (Postgres refused the data itself), out_of_range (no partition for the day and outside retention),
    /// shutdown (still unwritten when the host stopped).</summary>
    public static readonly Counter SamplesDropped = Metrics.CreateCounter(
        "controlplane_samples_dropped_total",
        "Probe samples lost before reaching Postgres, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly Histogram IngestBatchSeconds = Metrics.CreateHistogram(
        "controlplane_sample_ingest_batch_seconds",
        "Time to write one batch of probe samples with binary COPY (successful batches).",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    public static readonly Gauge IngestBuffered = Metrics.CreateGauge(
        "controlplane_sample_ingest_buffered",
        "Probe samples accepted but not yet written (queued plus held for retry).");

    public static class DropReason
    {
        public const string QueueFull = "queue_full";
        public const string BufferFull = "buffer_full";
        public const string Rejected = "rejected";
        public const string OutOfRange = "out_of_range";
        public const string Shutdown = "shutdown";
    }
}
