using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Overrides;
using ControlPlane.Core.Probing;
using ControlPlane.Core.Routing;
using ControlPlane.Core.Tests.Breakers;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Routing;

/// <summary>Issue #16 item 5: an unproven target takes no traffic while its route has a proven eligible target.</summary>
public sealed class UnprovenRoutingTests
{
    private static readonly BreakerSnapshot Unproven = BreakerSnapshot.Healthy with { Unproven = true };

    [Fact]
    public void Build_UnprovenTargetWithAProvenTierMate_TakesNoTraffic()
    {
        var route = Build(new() { [Sonnet] = Unproven }).Get();

        var sonnet = route.Tiers[0].Targets.Single(t => t.Target == Sonnet);
        Assert.False(sonnet.Eligible);
        Assert.Equal(0, sonnet.EffectiveWeight);
        Assert.True(sonnet.Unproven);
        Assert.Equal(UnprovenRule.Status, sonnet.Status);
        Assert.Equal(CircuitState.Closed, sonnet.Breaker);
        Assert.Equal([(Gpt.Value, 100)], route.Traffic());
    }

    [Fact]
    public void Build_UnprovenTier0_WithAProvenTargetInTier1_MovesTheTrafficToTier1()
    {
        var route = Build(new() { [Gpt] = Unproven }).Get("strict");

        Assert.Equal(1, route.ActiveTierIndex);
        Assert.Equal([(Haiku.Value, 100)], route.Traffic());
        Assert.False(route.Panic);
    }

    [Fact]
    public void Build_EveryTargetOfTheRouteUnproven_RoutesAsUsualAndShowsThem()
    {
        var route = Build(new() { [Gpt] = Unproven, [Haiku] = Unproven }).Get("strict");

        Assert.Equal(0, route.ActiveTierIndex);
        Assert.Equal([(Gpt.Value, 100)], route.Traffic());
        Assert.False(route.Panic);
        Assert.All(route.Tiers.SelectMany(t => t.Targets), t => Assert.True(t.Unproven && t.Eligible));
        Assert.Equal("closed", route.Tiers[0].Targets[0].Status);
    }

    [Fact]
    public void Build_ProvenTargetsAllOpen_TheUnprovenOneTakesTheTrafficRatherThanPanic()
    {
        var route = Build(new() { [Sonnet] = Open(), [Flash] = Open(), [Gpt] = Unproven }).Get();

        Assert.Equal([(Gpt.Value, 100)], route.Traffic());
        Assert.False(route.Panic);
    }

    [Fact]
    public void Build_TargetWithoutEvidence_IsNotKeptOut()
    {
        // A fresh deployment: no snapshot (or an unproven flag not yet raised) routes as before.
        var route = Build(new() { [Gpt] = BreakerSnapshot.Healthy }).Get("strict");

        Assert.Equal([(Gpt.Value, 100)], route.Traffic());
        Assert.All(route.Tiers.SelectMany(t => t.Targets), t => Assert.False(t.Unproven));
    }

    [Fact]
    public void Build_UnprovenTargetForcedClosedByAnOperator_StaysEligible()
    {
        var forced = new ForceClosed("o1", "sre", "new key, trust me", T0.AddMinutes(-1), T0.AddHours(1), Sonnet);

        var route = Build(new() { [Sonnet] = Unproven }, [forced]).Get();

        Assert.True(route.Tiers[0].Targets.Single(t => t.Target == Sonnet).Eligible);
        Assert.Contains(route.Active, a => a.Target == Sonnet);
    }

    [Fact]
    public void Build_UnprovenTargetWhoseBreakerIsOpen_IsNotFlagged()
    {
        // Out already, and its status says why: the flag would only cost versions that decide nothing.
        var route = Build(new() { [Sonnet] = Open() with { Unproven = true } }).Get();

        var sonnet = route.Tiers[0].Targets.Single(t => t.Target == Sonnet);
        Assert.False(sonnet.Unproven);
        Assert.Equal("open", sonnet.Status);
    }

    [Fact]
    public void Changes_TargetBecomesUnproven_ReasonSaysSo()
    {
        var before = Build();
        var after = Build(new() { [Sonnet] = Unproven });

        var change = Assert.Single(RoutingChanges.Between(before, after));

        Assert.Equal("chat-default", change.RouteId);
        Assert.Equal("anthropic/sonnet: closed → unproven: no successful probe or request yet", change.Reason);
    }

    [Fact]
    public void Build_UnprovenFlag_IsContentOnlyWhenSet()
    {
        var none = Build();
        var healthy = Build(new() { [Gpt] = BreakerSnapshot.Healthy, [Haiku] = BreakerSnapshot.Healthy });
        var allUnproven = Build(new() { [Gpt] = Unproven, [Haiku] = Unproven });

        Assert.Equal(none.ContentHash, healthy.ContentHash);
        Assert.DoesNotContain("unproven", none.CanonicalContent, StringComparison.Ordinal);
        // Traffic is the same, but the table must still tell people (a new version) that the route runs on unproven targets.
        Assert.NotEqual(none.ContentHash, allUnproven.ContentHash);
    }

    [Fact]
    public void Build_BreakerEvaluationOfAnUnprovenTarget_KeepsItOutOfTheTable()
    {
        // End to end through the pure pieces: bad requests only → unproven snapshot → not eligible.
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.BadRequest);
        }

        var route = Build(new() { [Sonnet] = b.Last!.ToSnapshot() }).Get();

        Assert.DoesNotContain(route.Active, a => a.Target == Sonnet);
    }
}
