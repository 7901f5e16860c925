using ControlPlane.Contracts;

namespace ControlPlane.Client;

/// <summary>The routing table this process obeys, and how fresh it is.</summary>
public interface IRoutingTableSource
{
    /// <summary>The applied (verified) table, or null when none was ever received nor cached.</summary>
    RoutingTableChanged? Current { get; }

    /// <summary><see cref="RoutingTableChanged.Version"/> of <see cref="Current"/>.</summary>
    long? CurrentVersion { get; }

    /// <summary>When <see cref="Current"/> was applied by this process (from the cache, the snapshot or the broker).</summary>
    DateTimeOffset? AppliedAt { get; }

    /// <summary>True while the broker subscription is up (queue bound, consumer running).</summary>
    bool IsConnected { get; }

    /// <summary>
    /// The latest instant at which this process knew <see cref="Current"/> was the control plane's current table:
    /// a valid snapshot fetch (or a 404 "no table yet"), a valid message from the broker, the moment the broker
    /// subscription was established or lost. Started from the cache with no contact yet, it is the cached table's
    /// <see cref="RoutingTableChanged.IssuedAt"/>.
    /// </summary>
    DateTimeOffset? LastContactAt { get; }

    /// <summary>
    /// How stale the table may be: <see cref="TimeSpan.Zero"/> while <see cref="IsConnected"/> (the broker pushes
    /// every new version to our queue); otherwise now − <see cref="LastContactAt"/>; null before any table or contact.
    /// </summary>
    TimeSpan? Staleness { get; }

    /// <summary>The most recent rejected candidate, if any.</summary>
    RejectionInfo? LastRejection { get; }

    /// <summary>Counters of what happened to candidate tables.</summary>
    SubscriptionCounters Counters { get; }

    /// <summary>Raised after a newer table is applied (on the thread that applied it; keep handlers short).</summary>
    event EventHandler<RoutingTableAppliedEventArgs>? TableChanged;

    /// <summary>Completes when a table with at least <paramref name="minimumVersion"/> is applied (at once if one is).</summary>
    Task<RoutingTableChanged> WaitForVersionAsync(long minimumVersion, CancellationToken cancellationToken = default);
}

/// <summary>Arguments of <see cref="IRoutingTableSource.TableChanged"/>.</summary>
public sealed class RoutingTableAppliedEventArgs(RoutingTableChanged? previous, RoutingTableChanged current, TableSource source) : EventArgs
{
    /// <summary>The table replaced, if any.</summary>
    public RoutingTableChanged? Previous { get; } = previous;

    /// <summary>The table now in force.</summary>
    public RoutingTableChanged Current { get; } = current;

    /// <summary>Where it came from.</summary>
    public TableSource Source { get; } = source;
}

/// <summary>
/// Monotonic counters of a subscriber (exposed as properties; the SDK has no metrics dependency). Rejections are kept
/// per reason of the closed set <see cref="RejectionReasons"/>, so a host can export them as one labelled counter
/// (the gateway exports <c>gateway_routing_table_rejections_total{reason}</c>) without any free text in a label.
/// </summary>
public sealed class SubscriptionCounters
{
    private readonly long[] _rejected = new long[RejectionReasons.All.Count];
    private long _applied;
    private long _ignored;
    private long _statusReports;

    /// <summary>Tables applied.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Valid tables ignored because they were not newer.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Candidates rejected, all reasons.</summary>
    public long Rejected => RejectedByReason.Values.Sum();

    /// <summary>Candidates rejected as malformed.</summary>
    public long RejectedMalformed => RejectedFor(RejectionReasons.Malformed);

    /// <summary>Candidates rejected for a bad signature.</summary>
    public long RejectedBadSignature => RejectedFor(RejectionReasons.BadSignature);

    /// <summary>Candidates rejected for an untrusted key id.</summary>
    public long RejectedUnknownKeyId => RejectedFor(RejectionReasons.UnknownKeyId);

    /// <summary>Candidates rejected before parsing for their size.</summary>
    public long RejectedTooLarge => RejectedFor(RejectionReasons.TooLarge);

    /// <summary>Validly signed candidates claiming the held version with other content.</summary>
    public long RejectedVersionConflict => RejectedFor(RejectionReasons.VersionConflict);

    /// <summary>Rejections per reason: every member of <see cref="RejectionReasons.All"/>, zeros included.</summary>
    public IReadOnlyDictionary<string, long> RejectedByReason =>
        RejectionReasons.All.Select((reason, i) => (reason, i)).ToDictionary(p => p.reason, p => Interlocked.Read(ref _rejected[p.i]), StringComparer.Ordinal);

    /// <summary>Status reports published.</summary>
    public long StatusReportsPublished => Interlocked.Read(ref _statusReports);

    /// <summary>Rejections for one reason of <see cref="RejectionReasons.All"/> (0 for anything else).</summary>
    public long RejectedFor(string reason)
    {
        var index = IndexOf(reason);
        return index < 0 ? 0 : Interlocked.Read(ref _rejected[index]);
    }

    internal void Count(ApplyDecision decision)
    {
        switch (decision.Outcome)
        {
            case ApplyOutcome.Applied: Interlocked.Increment(ref _applied); break;
            case ApplyOutcome.Ignored: Interlocked.Increment(ref _ignored); break;
            default:
                var index = IndexOf(decision.RejectionReason);
                Interlocked.Increment(ref _rejected[index < 0 ? IndexOf(RejectionReasons.Malformed) : index]);
                break;
        }
    }

    internal void CountStatusReport() => Interlocked.Increment(ref _statusReports);

    private static int IndexOf(string? reason)
    {
        for (var i = 0; i < RejectionReasons.All.Count; i++)
        {
            if (string.Equals(RejectionReasons.All[i], reason, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
