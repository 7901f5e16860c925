using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Limits;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Limits;

public sealed class ConcurrencyLimiterTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeTableSource _table = new();

    private ConcurrencyLimiter Limiter(bool enabled = true) => new(_table, Options.Create(new GatewayOptions
    {
        Limits = new() { Enabled = enabled, MaxConcurrency = 4, InitialLimit = 4, DegradedShare = 0.5, NonCriticalShare = 1 },
    }), _time);

    [Fact]
    public void TryAcquire_TargetDegradedInTheTable_HalvesTheCeiling_AndCountsTheRejection()
    {
        var target = $"lim-{Guid.NewGuid():N}/m";
        _table.Current = Table(1, target, TargetStates.Degraded);
        var limiter = Limiter();
        var rejected = LimitMetrics.Rejections.WithLabels(target, ConcurrencyLimiter.AtLimitReason).Value;

        Assert.NotNull(limiter.TryAcquire(target, critical: true));
        Assert.NotNull(limiter.TryAcquire(target, critical: true));
        Assert.Null(limiter.TryAcquire(target, critical: true));
        Assert.Equal(rejected + 1, LimitMetrics.Rejections.WithLabels(target, ConcurrencyLimiter.AtLimitReason).Value);
        Assert.Equal(2, LimitMetrics.Limit.WithLabels(target).Value);

        // The next table says it healed: the whole ceiling is back.
        _table.Current = Table(2, target, TargetStates.Closed);
        Assert.NotNull(limiter.TryAcquire(target, critical: true));
        Assert.NotNull(limiter.TryAcquire(target, critical: true));
        Assert.Null(limiter.TryAcquire(target, critical: true));
    }

    [Fact]
    public void NextRelease_CompletesWhenASlotIsGivenBack()
    {
        var target = $"lim-{Guid.NewGuid():N}/m";
        var limiter = Limiter();
        var lease = limiter.TryAcquire(target, critical: true)!;
        var release = limiter.NextRelease;

        Assert.False(release.IsCompleted);
        lease.Dispose();

        Assert.True(release.IsCompleted);
        Assert.False(limiter.NextRelease.IsCompleted); // the next wait waits for the next release
    }

    [Fact]
    public void Lease_DisposedTwice_ReleasesOnce()
    {
        var target = $"lim-{Guid.NewGuid():N}/m";
        var limiter = Limiter();
        var leases = Enumerable.Range(0, 4).Select(_ => limiter.TryAcquire(target, critical: true)).ToList();
        Assert.All(leases, Assert.NotNull);

        leases[0]!.Dispose();
        leases[0]!.Dispose();
        Assert.NotNull(limiter.TryAcquire(target, critical: true));
        Assert.Null(limiter.TryAcquire(target, critical: true));
        Assert.Equal(4, LimitMetrics.InFlight.WithLabels(target).Value);
    }

    [Fact]
    public void TryAcquire_LimitsOff_NeverRefuses_ButCountsInFlight()
    {
        var target = $"lim-{Guid.NewGuid():N}/m";
        var limiter = Limiter(enabled: false);
        for (var i = 0; i < 20; i++)
        {
            Assert.NotNull(limiter.TryAcquire(target, critical: false));
        }

        Assert.Equal(20, LimitMetrics.InFlight.WithLabels(target).Value);
    }

    private static RoutingTableChanged Table(long version, string target, string state) => new()
    {
        Version = version,
        IssuedAt = DateTimeOffset.UnixEpoch,
        KeyId = "k",
        Signature = "s",
        Changes = [],
        Table = new RoutingTable
        {
            Routes =
            [
                new RouteEntry
                {
                    Route = "r",
                    PanicPolicy = "fail-open",
                    Panic = false,
                    Tiers = [new TierEntry { Targets = [new TargetEntry { Target = target, Provider = "p", Model = "m", Weight = 1, Eligible = true, State = state }] }],
                },
            ],
        },
    };

    private sealed class FakeTableSource : IRoutingTableSource
    {
        public event EventHandler<RoutingTableAppliedEventArgs>? TableChanged
        {
            add { }
            remove { }
        }

        public RoutingTableChanged? Current { get; set; }

        public long? CurrentVersion => Current?.Version;

        public DateTimeOffset? AppliedAt => null;

        public bool IsConnected => true;

        public DateTimeOffset? LastContactAt => null;

        public TimeSpan? Staleness => TimeSpan.Zero;

        public RejectionInfo? LastRejection => null;

        public SubscriptionCounters Counters => throw new NotSupportedException();

        public Task<RoutingTableChanged> WaitForVersionAsync(long minimumVersion, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();
    }
}
