using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Overrides;
using ControlPlane.Core.Routing;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Overrides;

public sealed class OverrideRoutingTests
{
    private static readonly DateTimeOffset Expires = T0.AddMinutes(30);

    [Fact]
    public void DrainTarget_RemovesItUntilExactlyItsExpiry()
    {
        var drain = new DrainTarget("d-1", "alice", "vendor ticket 123", T0, Expires, Sonnet);

        var during = Build(overrides: [drain], now: Expires.AddTicks(-1)).Get();
        var after = Build(overrides: [drain], now: Expires).Get();

        Assert.Equal([("openai/gpt-4o", 100)], during.Traffic());
        Assert.Equal("drained (d-1 by alice: vendor ticket 123)", during.Tiers[0].Targets[0].Status);
        Assert.Equal([("anthropic/sonnet", 300), ("openai/gpt-4o", 100)], after.Traffic());
    }

    [Fact]
    public void DrainProvider_RemovesEveryTargetOfTheProvider()
    {
        var drain = new DrainProvider("d-2", "alice", "incident", T0, Expires, "anthropic");

        var table = Build(overrides: [drain]);

        Assert.Equal([("openai/gpt-4o", 100)], table.Get().Traffic());
        var strict = Build(new() { [Gpt] = Open() }, [drain]).Get("strict");
        Assert.True(strict.Panic);
        Assert.Contains("provider anthropic drained", strict.PanicReason!, StringComparison.Ordinal);
    }

    [Fact]
    public void ForceOpen_RemovesAHealthyTarget()
    {
        var force = new ForceOpen("f-1", "carol", "bad answers", T0, Expires, Gpt);

        var route = Build(overrides: [force]).Get("strict");

        Assert.Equal(1, route.ActiveTierIndex);
        Assert.Equal([("anthropic/haiku", 100)], route.Traffic());
        Assert.Equal(CircuitState.Closed, route.Tiers[0].Targets[0].Breaker);
    }

    [Fact]
    public void ForceClosed_GivesAnOpenTargetFullWeight()
    {
        var force = new ForceClosed("c-1", "carol", "probe false positive", T0, Expires, Gpt);

        var route = Build(new() { [Gpt] = Open() }, [force]).Get("strict");

        Assert.Equal([("openai/gpt-4o", 100)], route.Traffic());
        Assert.Equal(CircuitState.Open, route.Tiers[0].Targets[0].Breaker);
        Assert.StartsWith("forced closed", route.Tiers[0].Targets[0].Status, StringComparison.Ordinal);
    }

    [Fact]
    public void ForceClosed_ExpiresExactlyOnTime()
    {
        var force = new ForceClosed("c-1", "carol", "probe false positive", T0, Expires, Gpt);

        var route = Build(new() { [Gpt] = Open() }, [force], now: Expires).Get("strict");

        Assert.Equal([("anthropic/haiku", 100)], route.Traffic());
    }

    [Fact]
    public void Removal_BeatsForceClosed()
    {
        var closed = new ForceClosed("c-1", "carol", "keep it", T0, Expires, Gpt);
        var open = new ForceOpen("f-1", "dave", "take it out", T0, Expires, Gpt);
        var drain = new DrainTarget("d-1", "erin", "drain", T0, Expires, Gpt);

        Assert.Equal([("anthropic/haiku", 100)], Build(overrides: [closed, open]).Get("strict").Traffic());
        Assert.Equal([("anthropic/haiku", 100)], Build(overrides: [closed, drain]).Get("strict").Traffic());
    }

    [Fact]
    public void Pin_SendsAllTrafficToThePinnedTargetEvenWhenItsBreakerIsOpen()
    {
        var pin = new PinRoute("p-1", "alice", "eval run", T0, Expires, "chat-default", Flash);

        var route = Build(new() { [Flash] = Open() }, [pin]).Get();

        Assert.Equal([("gemini/flash", 100)], route.Traffic());
        Assert.Equal("p-1", route.PinnedBy);
        Assert.Equal(1, route.ActiveTierIndex);
        Assert.False(route.Panic);
        Assert.EndsWith("target is open", route.PinNote!, StringComparison.Ordinal);
        Assert.Equal(((int?)1, (TargetId?)Flash), (route.ActiveTier, route.PinnedTarget));
    }

    [Fact]
    public void Pin_BeatsADrainOfThePinnedTarget()
    {
        var pin = new PinRoute("p-1", "alice", "eval run", T0, Expires, "chat-default", Gpt);
        var drain = new DrainTarget("d-1", "bob", "drain", T0, Expires, Gpt);

        var route = Build(overrides: [pin, drain]).Get();

        Assert.Equal([("openai/gpt-4o", 100)], route.Traffic());
        Assert.Contains("drained", route.PinNote!, StringComparison.Ordinal);
    }

    [Fact]
    public void Pin_OnlyAffectsItsRouteAndEndsAtExpiry()
    {
        var pin = new PinRoute("p-1", "alice", "eval run", T0, Expires, "chat-default", Gpt);

        Assert.Null(Build(overrides: [pin]).Get("strict").PinnedBy);
        var expired = Build(overrides: [pin], now: Expires).Get();
        Assert.Null(expired.PinnedBy);
        Assert.Equal(2, expired.Active.Count);
    }

    [Fact]
    public void Pin_ToATargetOutsideTheRouteIsIgnoredAndSaysSo()
    {
        var pin = new PinRoute("p-1", "alice", "typo", T0, Expires, "strict", Flash);

        var route = Build(overrides: [pin]).Get("strict");

        Assert.Null(route.PinnedBy);
        Assert.Equal([("openai/gpt-4o", 100)], route.Traffic());
        Assert.Contains("ignored", route.PinNote!, StringComparison.Ordinal);
    }

    [Fact]
    public void MaintenanceWindow_DrainsFromStartToEndExactly()
    {
        var window = MaintenanceWindow.ForTarget("m-1", "bob", "upgrade", T0, T0.AddHours(1), T0.AddHours(2), Gpt);
        ComputedRoute At(DateTimeOffset now) => Build(overrides: [window], now: now).Get("strict");

        Assert.Equal([("openai/gpt-4o", 100)], At(T0.AddHours(1).AddTicks(-1)).Traffic());
        Assert.Equal([("anthropic/haiku", 100)], At(T0.AddHours(1)).Traffic());
        Assert.StartsWith("maintenance of openai/gpt-4o", At(T0.AddHours(1)).Tiers[0].Targets[0].Status, StringComparison.Ordinal);
        Assert.Equal([("anthropic/haiku", 100)], At(T0.AddHours(2).AddTicks(-1)).Traffic());
        Assert.Equal([("openai/gpt-4o", 100)], At(T0.AddHours(2)).Traffic());
    }

    [Fact]
    public void ProviderMaintenance_CoversEveryTargetOfTheProvider()
    {
        var window = MaintenanceWindow.ForProvider("m-2", "bob", "region move", T0, T0, T0.AddHours(1), "anthropic");

        var route = Build(new() { [Gpt] = Open() }, [window]).Get();

        Assert.Equal(1, route.ActiveTierIndex);
        Assert.Equal([("gemini/flash", 100)], route.Traffic());
    }

    [Fact]
    public void DrainedTargets_AreNeverTheFailOpenFallback()
    {
        var drainAnthropic = new DrainProvider("d-1", "alice", "incident", T0, Expires, "anthropic");
        var breakers = new Dictionary<TargetId, BreakerSnapshot> { [Gpt] = Open(60), [Flash] = Open(90), [Sonnet] = HalfOpen };

        Assert.Equal([("openai/gpt-4o", 100)], Build(breakers, [drainAnthropic]).Get().Traffic());

        IReadOnlyList<Override> drainAll =
        [
            drainAnthropic,
            new DrainProvider("d-2", "alice", "incident", T0, Expires, "openai"),
            new DrainProvider("d-3", "alice", "incident", T0, Expires, "gemini"),
        ];
        var route = Build(breakers, drainAll).Get();
        Assert.True(route.Panic);
        Assert.Empty(route.Active);
        Assert.Contains("removed by an operator", route.PanicReason!, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpiredOverridesPassedAsActive_AreIgnored()
    {
        var stale = new DrainTarget("d-1", "alice", "old", T0.AddHours(-2), T0.AddHours(-1), Gpt);

        Assert.Equal([("openai/gpt-4o", 100)], Build(overrides: [stale]).Get("strict").Traffic());
    }
}
