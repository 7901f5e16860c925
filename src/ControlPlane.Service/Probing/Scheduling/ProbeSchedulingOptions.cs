using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>The "Probing" section: how probe jobs are scheduled (what to probe lives in the catalog).</summary>
public sealed class ProbeSchedulingOptions
{
    public const string SectionName = "Probing";

    /// <summary>Probes running at once on one replica. Probes are I/O bound; a hung provider holds a slot until its timeout.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrency { get; set; } = 500;

    /// <summary>Quartz clustering: replicas share one job store in Postgres, so each trigger fires on exactly one replica.</summary>
    public bool Clustered { get; set; } = true;

    /// <summary>How often a replica checks in; a replica silent for longer than this plus the misfire threshold is presumed dead.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A fire later than this is a misfire: it is skipped to the next slot instead of bursting to catch up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a replica that found no due trigger waits before asking the job store again. Quartz's default of 30 s
    /// leaves a replica idle for half a minute whenever another one held every due trigger when it looked (which is
    /// what happens when replicas start together), and only triggers scheduled by the replica itself wake it sooner.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Triggers acquired per trip to the job store (fewer round trips at scale); capped at <see cref="MaxConcurrency"/>.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How far ahead of their fire time triggers may be acquired in one batch. Wider batches mean fewer trips to the
    /// job store at scale; a trigger acquired early still fires at its own time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan BatchFireAheadWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Fire triggers without the job store's cluster-wide <c>TRIGGER_ACCESS</c> row lock (Quartz 4.6+): each trigger is
    /// claimed by a compare-and-swap on its row, so two replicas still never fire the same slot, but their firing
    /// rounds no longer queue behind one lock. Off: every acquisition and fire is serialised under the lock.
    /// </summary>
    public bool LockFreeFiringRounds { get; set; } = true;
}
