using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>The "Probing" section: how probes are scheduled and shared among replicas (what to probe lives in the catalog).</summary>
public sealed class ProbeSchedulingOptions
{
    public const string SectionName = "Probing";

    /// <summary>Probes running at once on one replica. Probes are I/O bound; a hung provider holds a slot until its timeout.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrency { get; set; } = 500;

    /// <summary>
    /// Share the probes among the replicas checked in to Quartz's clustered job store in Postgres, so N replicas probe
    /// each target once, not N times. Off: this replica probes every target whoever else runs.
    /// </summary>
    public bool Clustered { get; set; } = true;

    /// <summary>
    /// How often a replica checks in to the clustered store. A replica whose last check-in is older than three of these
    /// is presumed dead and its targets are taken over.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A replica whose last check-in is older than this is presumed dead.</summary>
    public TimeSpan PresumedDeadAfter => ClusterCheckinInterval * 3;

    /// <summary>How often a replica re-reads who is live and the intervals adaptive probing chose, and adjusts its share.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan OwnershipRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A fire later than this is a misfire: it is skipped to the next slot instead of bursting to catch up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Triggers the local scheduler takes per round; capped at <see cref="MaxConcurrency"/>.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How far ahead of its slot a probe may be fired along with an earlier one in the same round. A few milliseconds
    /// saves a wake-up per probe at thousands of probes a second; the schedule-lag metric counts an early fire as zero.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan BatchFireAheadWindow { get; set; } = TimeSpan.FromMilliseconds(20);
}
