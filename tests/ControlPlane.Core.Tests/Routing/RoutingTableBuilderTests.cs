using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Routing;

public sealed class RoutingTableBuilderTests
{
    [Fact]
    public void Healthy_FirstTierTakesAllTrafficSplitByConfiguredWeight()
    {
        var route = Build().Get();

        Assert.Equal(0, route.ActiveTierIndex);
        Assert.Equal([("anthropic/sonnet", 300), ("openai/gpt-4o", 100)], route.Traffic());
        Assert.False(route.Panic);
        Assert.Null(route.PanicReason);
        Assert.All(route.Tiers[1].Targets, t => Assert.True(t.Eligible));
    }

    [Fact]
    public void WeightWithinTier_IsConfiguredWeightTimesBreakerMultiplier()
    {
        var route = Build(new()
        {
            [Sonnet] = new BreakerSnapshot(CircuitState.Degraded, 0.5),
            [Gpt] = new BreakerSnapshot(CircuitState.Closed, 0.2),
        }).Get();

        Assert.Equal([("anthropic/sonnet", 150), ("openai/gpt-4o", 20)], route.Traffic());
        Assert.Equal("degraded", route.Tiers[0].Targets[0].Status);
        Assert.Equal("closed", route.Tiers[0].Targets[1].Status);
    }

    [Fact]
    public void OpenOrHalfOpenTarget_IsNotEligible()
    {
        var route = Build(new() { [Sonnet] = Open(), [Gpt] = HalfOpen }).Get();

        Assert.All(route.Tiers[0].Targets, t => Assert.False(t.Eligible));
        Assert.All(route.Tiers[0].Targets, t => Assert.Equal(0, t.EffectiveWeight));
        Assert.Equal("half-open trial", route.Tiers[0].Targets[1].Status);
    }

    [Fact]
    public void TierFailover_WhenEveryTargetOfTheFirstTierIsOpen()
    {
        var route = Build(new() { [Sonnet] = Open(), [Gpt] = Open() }).Get();

        Assert.Equal(1, route.ActiveTierIndex);
        Assert.Equal([("gemini/flash", 100)], route.Traffic());
        Assert.False(route.Panic);
    }

    [Fact]
    public void OneHealthyTargetInTheFirstTier_KeepsTheTier()
    {
        var route = Build(new() { [Sonnet] = Open() }).Get();

        Assert.Equal(0, route.ActiveTierIndex);
        Assert.Equal([("openai/gpt-4o", 100)], route.Traffic());
        Assert.Equal((0, (TargetId?)null), (route.ActiveTier, route.PinnedTarget));
    }

    [Fact]
    public void EveryTargetDown_FailOpenPicksHalfOpenBeforeOpen()
    {
        var route = Build(new() { [Sonnet] = Open(5), [Gpt] = HalfOpen, [Flash] = Open(1) }).Get();

        Assert.True(route.Panic);
        Assert.Null(route.ActiveTierIndex);
        Assert.Equal([("openai/gpt-4o", 100)], route.Traffic());
        Assert.Contains("failing open to least-bad openai/gpt-4o", route.PanicReason!, StringComparison.Ordinal);
        Assert.Equal(((int?)null, (TargetId?)Gpt), (route.ActiveTier, route.PinnedTarget)); // the panic pick travels as a pin with no tier
    }

    [Fact]
    public void EveryTargetOpen_FailOpenPicksTheBreakThatEndsSoonestThenLowestFailureRatio()
    {
        Assert.Equal(
            [("gemini/flash", 100)],
            Build(new() { [Sonnet] = Open(60), [Gpt] = Open(120), [Flash] = Open(10) }).Get().Traffic());
        Assert.Equal(
            [("openai/gpt-4o", 100)],
            Build(new() { [Sonnet] = Open(30, 0.9), [Gpt] = Open(30, 0.6), [Flash] = Open(30, 1) }).Get().Traffic());
    }

    [Fact]
    public void EveryTargetDown_FailClosedRoutesNowhereAndSaysSo()
    {
        var route = Build(new() { [Gpt] = Open(), [Haiku] = Open() }).Get("strict");

        Assert.True(route.Panic);
        Assert.Empty(route.Active);
        Assert.Contains("fail-closed", route.PanicReason!, StringComparison.Ordinal);
        Assert.Contains("openai/gpt-4o open", route.PanicReason!, StringComparison.Ordinal);
    }

    [Fact]
    public void TargetWithoutBreakerState_CountsAsHealthy()
    {
        var route = RoutingTableBuilder.Build(RoutingFixture.Catalog, new Dictionary<TargetId, BreakerSnapshot>(), [], T0).Get();

        Assert.Equal(2, route.Active.Count);
    }

    [Fact]
    public void Content_IsUnchangedWhenOnlyTheTimestampChanges()
    {
        var breakers = new Dictionary<TargetId, BreakerSnapshot> { [Sonnet] = Open(), [Gpt] = new(CircuitState.Degraded, 0.5) };

        var first = Build(breakers, now: T0);
        var later = Build(breakers, now: T0.AddMinutes(5));

        Assert.NotEqual(first.ComputedAt, later.ComputedAt);
        Assert.True(first.ContentEquals(later));
        Assert.Equal(first.ContentHash, later.ContentHash);
        Assert.Matches("^[0-9a-f]{64}$", first.ContentHash);
    }

    [Fact]
    public void Content_ChangesWhenAWeightChanges()
    {
        var first = Build(new() { [Gpt] = new(CircuitState.Closed, 0.1) });
        var second = Build(new() { [Gpt] = new(CircuitState.Closed, 0.2) });

        Assert.False(first.ContentEquals(second));
        Assert.NotEqual(first.ContentHash, second.ContentHash);
    }

    [Fact]
    public void Routes_AreOrderedById()
    {
        Assert.Equal(["chat-default", "strict"], Build().Routes.Select(r => r.RouteId));
    }
}
