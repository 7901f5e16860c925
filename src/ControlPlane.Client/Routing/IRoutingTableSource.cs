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

/// <summary>Monotonic counters of a subscriber (exposed as properties; the SDK has no metrics dependency).</summary>
public sealed class SubscriptionCounters
{
    private long _applied;
    private long _ignored;
    private long _malformed;
    private long _badSignature;
    private long _unknownKeyId;
    private long _statusReports;

    /// <summary>Tables applied.</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Valid tables ignored because they were not newer.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Candidates rejected, all reasons.</summary>
    public long Rejected => RejectedMalformed + RejectedBadSignature + RejectedUnknownKeyId;

    /// <summary>Candidates rejected as malformed.</summary>
    public long RejectedMalformed => Interlocked.Read(ref _malformed);

    /// <summary>Candidates rejected for a bad signature.</summary>
    public long RejectedBadSignature => Interlocked.Read(ref _badSignature);

    /// <summary>Candidates rejected for an untrusted key id.</summary>
    public long RejectedUnknownKeyId => Interlocked.Read(ref _unknownKeyId);

    /// <summary>Status reports published.</summary>
    public long StatusReportsPublished => Interlocked.Read(ref _statusReports);

    internal void Count(ApplyDecision decision)
    {
        switch (decision.Outcome)
        {
            case ApplyOutcome.Applied: Interlocked.Increment(ref _applied); break;
            case ApplyOutcome.Ignored: Interlocked.Increment(ref _ignored); break;
            default:
                switch (decision.RejectionReason)
                {
                    case RejectionReasons.BadSignature: Interlocked.Increment(ref _badSignature); break;
                    case RejectionReasons.UnknownKeyId: Interlocked.Increment(ref _unknownKeyId); break;
                    default: Interlocked.Increment(ref _malformed); break;
                }

                break;
        }
    }

    internal void CountStatusReport() => Interlocked.Increment(ref _statusReports);
}
