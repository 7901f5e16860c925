using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;
using Microsoft.Extensions.Time.Testing;
using static ControlPlane.Client.Tests.Support.TestTables;

namespace ControlPlane.Client.Tests.Routing;

public sealed class RouteSelectorTests : IDisposable
{
    private readonly TestTables _tables = new();
    private readonly RoutingTableStore _store;

    public RouteSelectorTests() => _store = new RoutingTableStore(_tables.Verifier(), new FakeTimeProvider());

    public void Dispose() => _tables.Dispose();

    private RouteSelector SelectorFor(RoutingTable table, int seed = 1234)
    {
        _store.Offer(_tables.Json((_store.CurrentVersion ?? 0) + 1, table), TableSource.Broker);
        return new RouteSelector(_store, new Random(seed));
    }

    [Fact]
    public void Select_NoTableYet_ThrowsNoRoutingTable()
    {
        var selector = new RouteSelector(_store);

        Assert.Throws<NoRoutingTableException>(() => selector.Select("chat-default"));
        Assert.Throws<NoRoutingTableException>(() => selector.SelectOrder("chat-default"));
    }

    [Fact]
    public void Select_UnknownRoute_ThrowsUnknownRoute()
    {
        var selector = SelectorFor(DefaultTable());

        var e = Assert.Throws<UnknownRouteException>(() => selector.Select("chat-nope"));

        Assert.Equal("chat-nope", e.Route);
        Assert.Equal(1, e.Version);
    }

    [Fact]
    public void Select_SplitsTheActiveTierByWeight()
    {
        var selector = SelectorFor(Table(Route("r", 0, Tier(Target("a/x", 300), Target("b/y", 100), Target("c/z", 0)))));

        var picks = Enumerable.Range(0, 40_000).Select(_ => selector.Select("r").Target).ToList();

        var shareA = picks.Count(p => p == "a/x") / 40_000.0;
        Assert.InRange(shareA, 0.74, 0.76);
        Assert.DoesNotContain("c/z", picks);
        Assert.Contains("b/y", picks);
    }

    [Fact]
    public void Select_IsReproducibleWithTheSameSeed()
    {
        var table = DefaultTable();
        var first = SelectorFor(table, seed: 7);
        var firstPicks = Enumerable.Range(0, 50).Select(_ => first.Select("chat-default").Target).ToList();
        var second = new RouteSelector(_store, new Random(7));

        Assert.Equal(firstPicks, Enumerable.Range(0, 50).Select(_ => second.Select("chat-default").Target));
    }

    [Fact]
    public void Select_HonoursTheActiveTier_NotTheFirstTier()
    {
        var selector = SelectorFor(Table(Route("r", 1,
            Tier(Target("anthropic/sonnet", 0)),
            Tier(Target("openai/gpt", 100)),
            Tier(Target("local/llama", 100)))));

        var picks = Enumerable.Range(0, 200).Select(_ => selector.Select("r")).ToList();

        Assert.All(picks, p => Assert.Equal(("openai/gpt", 1, "openai", "gpt", false), (p.Target, p.Tier, p.Provider, p.Model, p.Panic)));
    }

    [Fact]
    public void Select_PinnedTarget_TakesAllTraffic()
    {
        var route = Route("r", 0, Tier(Target("a/x", 100), Target("b/y", 100))) with { PinnedTarget = "b/y" };
        var selector = SelectorFor(Table(route));

        var picks = Enumerable.Range(0, 100).Select(_ => selector.Select("r")).ToList();

        Assert.All(picks, p => Assert.True(p is { Target: "b/y", Pinned: true }));
    }

    [Fact]
    public void Select_FailOpenPanic_GoesToThePanicPickAndSaysSo()
    {
        var route = Route("r", null, Tier(Target("a/x", 0), Target("b/y", 0, TargetStates.HalfOpen))) with
        {
            Panic = true,
            PanicReason = "no eligible target; failing open to least-bad b/y",
            PinnedTarget = "b/y",
        };
        var selector = SelectorFor(Table(route));

        var pick = selector.Select("r");

        Assert.Equal(("b/y", true, 0), (pick.Target, pick.Panic, pick.Tier));
    }

    [Fact]
    public void Select_FailClosedPanic_ThrowsRouteUnavailableWithTheReason()
    {
        var route = Route("r", null, Tier(Target("a/x", 0))) with
        {
            PanicPolicy = PanicPolicies.FailClosed,
            Panic = true,
            PanicReason = "no eligible target (a/x open); fail-closed: no target",
        };
        var selector = SelectorFor(Table(route));

        var e = Assert.Throws<RouteUnavailableException>(() => selector.Select("r"));
        Assert.Throws<RouteUnavailableException>(() => selector.SelectOrder("r"));

        Assert.Contains("fail-closed", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SelectOrder_PickFirst_ThenRestOfActiveTierByWeight_ThenOtherTiers()
    {
        var selector = SelectorFor(Table(Route("r", 1,
            Tier(Target("t0/down", 0)),
            Tier(Target("t1/small", 50), Target("t1/big", 300), Target("t1/mid", 100), Target("t1/off", 0)),
            Tier(Target("t2/a", 100), Target("t2/b", 200)))));

        for (var i = 0; i < 50; i++)
        {
            var order = selector.SelectOrder("r");
            var first = order[0].Target;
            var restOfTier = new[] { "t1/big", "t1/mid", "t1/small" }.Where(t => t != first);

            Assert.Equal([first, .. restOfTier, "t2/b", "t2/a"], order.Select(o => o.Target));
            Assert.Equal([1, 1, 1, 2, 2], order.Select(o => o.Tier));
        }
    }

    [Fact]
    public void Select_FollowsTheNewTableAtOnce()
    {
        var selector = SelectorFor(Table(Route("r", 0, Tier(Target("a/x", 100)), Tier(Target("b/y", 100)))));
        Assert.Equal("a/x", selector.Select("r").Target);

        _store.Offer(_tables.Json(2, Table(Route("r", 1, Tier(Target("a/x", 0)), Tier(Target("b/y", 100))))), TableSource.Broker);

        Assert.Equal(("b/y", 2L), (selector.Select("r").Target, selector.Select("r").Version));
    }
}
