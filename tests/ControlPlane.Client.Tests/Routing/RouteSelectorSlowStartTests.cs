using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;
using Microsoft.Extensions.Time.Testing;
using static ControlPlane.Client.Tests.Support.TestTables;

namespace ControlPlane.Client.Tests.Routing;

/// <summary>The table carries a slow-start ramp as data; the selector weighs the target by it on its own clock.</summary>
public sealed class RouteSelectorSlowStartTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    // The control plane's defaults: from 10 % to full over 60 s in 10 steps.
    private static readonly SlowStartEntry Ramp = SlowStartRamp.Create(T0, TimeSpan.FromSeconds(60), 0.1, 10);

    private readonly TestTables _tables = new();
    private readonly FakeTimeProvider _time = new(T0);
    private readonly RoutingTableStore _store;

    public RouteSelectorSlowStartTests() => _store = new RoutingTableStore(_tables.Verifier(), new FakeTimeProvider());

    public void Dispose() => _tables.Dispose();

    private RouteSelector SelectorFor(RoutingTable table)
    {
        _store.Offer(_tables.Json(1, table), TableSource.Broker);
        return new RouteSelector(_store, new Random(1234), _time);
    }

    private static TargetEntry Ramping(string id, int weight) => Target(id, weight) with { SlowStart = Ramp };

    [Theory]
    [InlineData(0, 10)]      // the floor: 100 × 0.1
    [InlineData(30, 55)]     // step 5 of 10: 100 × 0.55
    [InlineData(60, 100)]    // the ramp is over: the table's full weight
    public void Select_SplitsByTheRampedWeightAtTheTime(int seconds, int rampedWeight)
    {
        var selector = SelectorFor(Table(Route("r", 0, Tier(Target("a/x", 100), Ramping("b/y", 100)))));
        _time.Advance(TimeSpan.FromSeconds(seconds));

        var picks = Enumerable.Range(0, 40_000).Select(_ => selector.Select("r")).ToList();

        var shareB = picks.Count(p => p.Target == "b/y") / 40_000.0;
        var expected = rampedWeight / (100.0 + rampedWeight);
        Assert.InRange(shareB, expected - 0.01, expected + 0.01);
        Assert.All(picks.Where(p => p.Target == "b/y"), p => Assert.Equal(rampedWeight, p.Weight));
        Assert.All(picks.Where(p => p.Target == "a/x"), p => Assert.Equal(100, p.Weight));
    }

    [Fact]
    public void Select_ARampingTargetAloneInItsTier_TakesEverythingFromItsFirstInstant()
    {
        var selector = SelectorFor(Table(Route("r", 0, Tier(Ramping("b/y", 100)), Tier(Target("c/z", 100)))));

        var picks = Enumerable.Range(0, 200).Select(_ => selector.Select("r")).ToList();

        Assert.All(picks, p => Assert.Equal(("b/y", 0, 10), (p.Target, p.Tier, p.Weight)));
    }

    [Fact]
    public void Select_AClockBehindTheRampsStart_HoldsTheFloor()
    {
        _store.Offer(_tables.Json(1, Table(Route("r", 0, Tier(Ramping("b/y", 300))))), TableSource.Broker);
        var selector = new RouteSelector(_store, new Random(1), new FakeTimeProvider(T0.AddSeconds(-20)));

        Assert.Equal(30, selector.Select("r").Weight);
    }

    [Fact]
    public void SelectOrder_OrdersTheFallbacksByTheirRampedWeight()
    {
        var selector = SelectorFor(Table(Route("r", 0,
            Tier(Target("x/main", 100)),
            Tier(Target("a/small", 100), Ramping("b/big", 300)))));

        var early = selector.SelectOrder("r").Select(s => (s.Target, s.Weight)).ToList();
        _time.Advance(TimeSpan.FromSeconds(60));
        var late = selector.SelectOrder("r").Select(s => (s.Target, s.Weight)).ToList();

        Assert.Equal([("x/main", 100), ("a/small", 100), ("b/big", 30)], early);
        Assert.Equal([("x/main", 100), ("b/big", 300), ("a/small", 100)], late);
    }
}
