using ControlPlane.Contracts;

namespace ControlPlane.Client;

/// <summary>
/// Holds the last good table and applies candidates by <see cref="TableApplier"/>. Readers see an immutable
/// snapshot swapped atomically, so a reader never observes half a table. Usable without a host (e.g. in tests or a
/// custom transport): feed it raw message bytes with <see cref="Offer"/>.
/// </summary>
public sealed class RoutingTableStore : IRoutingTableSource
{
    private readonly RoutingTableVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<(long Version, TaskCompletionSource<RoutingTableChanged> Waiter)> _waiters = [];
    private volatile Applied? _applied;
    private volatile Contact _contact = new(false, null);
    private volatile RejectionInfo? _lastRejection;

    /// <summary>Creates an empty store.</summary>
    public RoutingTableStore(RoutingTableVerifier verifier, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _verifier = verifier;
        _time = timeProvider;
    }

    /// <inheritdoc />
    public event EventHandler<RoutingTableAppliedEventArgs>? TableChanged;

    /// <summary>Raised after every decision (applied, ignored, rejected), after <see cref="TableChanged"/>.</summary>
    internal event Action<ApplyDecision, TableSource>? Decided;

    /// <inheritdoc />
    public RoutingTableChanged? Current => _applied?.Message;

    /// <inheritdoc />
    public long? CurrentVersion => _applied?.Message.Version;

    /// <inheritdoc />
    public DateTimeOffset? AppliedAt => _applied?.At;

    /// <summary>The applied message exactly as received (what the cache file holds).</summary>
    public ReadOnlyMemory<byte>? CurrentJson => _applied?.Json;

    /// <summary><see cref="CanonicalJson.ContentHash"/> of the applied table (reported to the control plane).</summary>
    public string? CurrentContentHash => _applied?.ContentHash;

    /// <inheritdoc />
    public bool IsConnected => _contact.Connected;

    /// <inheritdoc />
    public DateTimeOffset? LastContactAt => _contact.Connected ? _time.GetUtcNow() : _contact.Last;

    /// <inheritdoc />
    public TimeSpan? Staleness
    {
        get
        {
            var contact = _contact;
            if (contact.Connected)
            {
                return TimeSpan.Zero;
            }

            if (contact.Last is not { } last)
            {
                return null;
            }

            var age = _time.GetUtcNow() - last;
            return age < TimeSpan.Zero ? TimeSpan.Zero : age;
        }
    }

    /// <inheritdoc />
    public RejectionInfo? LastRejection => _lastRejection;

    /// <inheritdoc />
    public SubscriptionCounters Counters { get; } = new();

    /// <summary>
    /// Verifies a raw message and applies it when it is valid and newer. A message over
    /// <see cref="ProtocolLimits.MaxMessageBytes"/> is rejected before it is parsed.
    /// </summary>
    public ApplyDecision Offer(ReadOnlySpan<byte> utf8Json, TableSource source)
    {
        if (utf8Json.Length > ProtocolLimits.MaxMessageBytes)
        {
            return RejectOversized(utf8Json.Length, source);
        }

        var verification = _verifier.Verify(utf8Json);
        string? candidateHash = null;
        var held = _applied;
        if (verification.IsValid && held is not null && verification.Message!.Version == held.Message.Version)
        {
            // Only a candidate claiming the held version needs its content compared.
            candidateHash = CanonicalJson.ContentHash(utf8Json);
        }

        return Apply(verification, candidateHash, utf8Json, source);
    }

    /// <summary>
    /// Records a candidate refused for its size without reading it (e.g. a snapshot whose Content-Length is over the
    /// limit): rejected as <see cref="RejectionReasons.TooLarge"/>, counted and reported like any rejection.
    /// </summary>
    public ApplyDecision RejectOversized(long size, TableSource source)
    {
        var decision = TableApplier.TooLarge(size);
        lock (_gate)
        {
            _lastRejection = new RejectionInfo { Version = null, Reason = $"{decision.RejectionReason}: {decision.Detail}", At = _time.GetUtcNow() };
            Counters.Count(decision);
        }

        Decided?.Invoke(decision, source);
        return decision;
    }

    private ApplyDecision Apply(RoutingTableVerification verification, string? candidateHash, ReadOnlySpan<byte> utf8Json, TableSource source)
    {
        ApplyDecision decision;
        RoutingTableChanged? previous;
        List<TaskCompletionSource<RoutingTableChanged>>? released = null;
        lock (_gate)
        {
            var held = _applied;
            previous = held?.Message;
            if (candidateHash is null && verification.IsValid && held is not null && verification.Message!.Version == held.Message.Version)
            {
                candidateHash = CanonicalJson.ContentHash(utf8Json); // The held table changed since the check outside the lock.
            }

            decision = TableApplier.Decide(previous?.Version, held?.ContentHash, verification, candidateHash, settlesConflicts: source == TableSource.Snapshot);
            var now = _time.GetUtcNow();
            switch (decision.Outcome)
            {
                case ApplyOutcome.Applied:
                    _applied = new Applied(decision.Message!, utf8Json.ToArray(), candidateHash ?? CanonicalJson.ContentHash(utf8Json), now);
                    if (source == TableSource.Cache && _contact.Last is null)
                    {
                        // The only instant a cached table is known to have been current.
                        _contact = _contact with { Last = decision.Message!.IssuedAt };
                    }

                    released = ReleaseWaiters(decision.Message!.Version);
                    break;
                case ApplyOutcome.Rejected:
                    var reason = decision.Detail is null ? decision.RejectionReason! : $"{decision.RejectionReason}: {decision.Detail}";
                    _lastRejection = new RejectionInfo { Version = decision.Message?.Version, Reason = reason, At = now };
                    break;
            }

            if (source != TableSource.Cache && decision.Outcome != ApplyOutcome.Rejected)
            {
                // A valid table straight from the control plane or the broker: we know what is current.
                TouchContact(now);
            }

            Counters.Count(decision);
        }

        if (decision.Outcome == ApplyOutcome.Applied)
        {
            TableChanged?.Invoke(this, new RoutingTableAppliedEventArgs(previous, decision.Message!, source));
            foreach (var waiter in released ?? [])
            {
                waiter.TrySetResult(decision.Message!);
            }
        }

        Decided?.Invoke(decision, source);
        return decision;
    }

    /// <summary>Records a successful contact that carried no table (the snapshot endpoint answered 404).</summary>
    public void RecordContact()
    {
        lock (_gate)
        {
            TouchContact(_time.GetUtcNow());
        }
    }

    /// <summary>Records that the broker subscription went up or down.</summary>
    public void SetConnected(bool connected)
    {
        lock (_gate)
        {
            _contact = new Contact(connected, _time.GetUtcNow());
        }
    }

    /// <inheritdoc />
    public Task<RoutingTableChanged> WaitForVersionAsync(long minimumVersion, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<RoutingTableChanged> waiter;
        lock (_gate)
        {
            if (_applied is { } applied && applied.Message.Version >= minimumVersion)
            {
                return Task.FromResult(applied.Message);
            }

            waiter = new TaskCompletionSource<RoutingTableChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((minimumVersion, waiter));
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    private void TouchContact(DateTimeOffset now) => _contact = _contact with { Last = now };

    private List<TaskCompletionSource<RoutingTableChanged>> ReleaseWaiters(long version)
    {
        var released = _waiters.Where(w => w.Version <= version).Select(w => w.Waiter).ToList();
        _waiters.RemoveAll(w => w.Version <= version);
        return released;
    }

    private sealed record Applied(RoutingTableChanged Message, byte[] Json, string ContentHash, DateTimeOffset At);

    private sealed record Contact(bool Connected, DateTimeOffset? Last);
}
