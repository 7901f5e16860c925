using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Overrides;
using ControlPlane.Core.Probing;
using ControlPlane.Core.Routing;
using ControlPlane.Core.Tests.Breakers;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Routing;

/// <summary>The slow-start ramp travels in the table as data; the table does not change while the ramp runs.</summary>
public sealed class SlowStartRoutingTests
{
    private static readonly SlowStartEntry Ramp = SlowStartRamp.Create(T0, TimeSpan.FromSeconds(60), 0.1, 10);

    private static BreakerSnapshot Ramping(CircuitState state = CircuitState.Closed, double multiplier = 1) =>
        new BreakerSnapshot(state, multiplier) { SlowStart = Ramp };

    [Fact]
    public void RampingTarget_PublishesItsFullWeightAndTheRamp()
    {
        var route = Build(new() { [Gpt] = Ramping() }, now: T0.AddSeconds(1)).Get();

        var gpt = route.Tiers[0].Targets[1];
        Assert.Equal([("anthropic/sonnet", 300), ("openai/gpt-4o", 100)], route.Traffic());
        Assert.Equal(Ramp, gpt.SlowStart);
        Assert.Equal("closed", gpt.Status);
        Assert.Equal("slow start", gpt.Description);
        Assert.Null(route.Tiers[0].Targets[0].SlowStart);
    }

    [Fact]
    public void DegradedRampingTarget_KeepsTheDegradedFactorInItsWeight()
    {
        var gpt = Build(new() { [Gpt] = Ramping(CircuitState.Degraded, 0.5) }).Get().Tiers[0].Targets[1];

        Assert.Equal((50, Ramp), (gpt.EffectiveWeight, gpt.SlowStart));
        Assert.Equal("degraded, slow start", gpt.Description);
    }

    [Fact]
    public void RampingTarget_IsEligibleFromItsFirstInstant_AndHoldsItsTier()
    {
        // The only healthy target of tier 0 has just closed: tier 0 takes the traffic at once, at whatever ramp step.
        var route = Build(new() { [Sonnet] = Open(), [Gpt] = Ramping() }, now: T0).Get();

        Assert.Equal(0, route.ActiveTierIndex);
        Assert.Equal([("openai/gpt-4o", 100)], route.Traffic());
    }

    [Fact]
    public void OverrideOnARampingTarget_PublishesNoRamp()
    {
        var drain = new DrainTarget("d-1", "alice", "ticket 1", T0, T0.AddMinutes(30), Gpt);
        var force = new ForceClosed("f-1", "alice", "ticket 2", T0, T0.AddMinutes(30), Gpt);

        var drained = Build(new() { [Gpt] = Ramping() }, [drain]).Get().Tiers[0].Targets[1];
        var forced = Build(new() { [Gpt] = Ramping() }, [force]).Get().Tiers[0].Targets[1];

        Assert.Null(drained.SlowStart);
        Assert.Null(forced.SlowStart);
        Assert.Equal(100, forced.EffectiveWeight);
    }

    [Fact]
    public void ClosingVersion_ExplainsTheChangeAsSlowStart()
    {
        var changes = RoutingChanges.Between(Build(new() { [Gpt] = HalfOpen }), Build(new() { [Gpt] = Ramping() }));

        Assert.Contains("openai/gpt-4o: half-open trial → slow start", changes.Single(c => c.RouteId == "chat-default").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TableContent_IsTheSameAtEveryStepOfTheRamp()
    {
        var first = Build(new() { [Gpt] = Ramping() }, now: T0);

        for (var s = 1; s < 60; s += 7)
        {
            Assert.True(Build(new() { [Gpt] = Ramping() }, now: T0.AddSeconds(s)).ContentEquals(first));
        }
    }

    [Fact]
    public void SameDecisionAs_ARampThatIsOverEqualsNoRamp()
    {
        var published = Build(new() { [Gpt] = Ramping() }, now: T0);
        var afterTheRamp = Build(new() { [Gpt] = BreakerSnapshot.Healthy }, now: T0.AddSeconds(60));

        Assert.False(afterTheRamp.ContentEquals(published));
        Assert.True(afterTheRamp.SameDecisionAs(published, T0.AddSeconds(60)));
        Assert.True(afterTheRamp.SameDecisionAs(published, T0.AddMinutes(10)));
    }

    [Fact]
    public void SameDecisionAs_ARampStillRunningIsAChange()
    {
        var published = Build(new() { [Gpt] = Ramping() }, now: T0);
        var withoutRamp = Build(new() { [Gpt] = BreakerSnapshot.Healthy }, now: T0.AddSeconds(59));

        Assert.False(withoutRamp.SameDecisionAs(published, T0.AddSeconds(59)));
    }

    [Fact]
    public void SameDecisionAs_ANewRampIsAChange()
    {
        var published = Build(now: T0);
        var ramping = Build(new() { [Gpt] = Ramping() }, now: T0);

        Assert.False(ramping.SameDecisionAs(published, T0));
        Assert.False(ramping.SameDecisionAs(null, T0));
    }

    [Fact]
    public void SameDecisionAs_AnEndedRampDoesNotHideAnotherChange()
    {
        var published = Build(new() { [Gpt] = Ramping() }, now: T0);
        var later = Build(new() { [Gpt] = BreakerSnapshot.Healthy, [Sonnet] = Open() }, now: T0.AddSeconds(70));

        Assert.False(later.SameDecisionAs(published, T0.AddSeconds(70)));
    }

    [Fact]
    public void Recovery_FromTheClosingTransitionToPastTheRampsEnd_IsOneDecision()
    {
        // The breaker itself, evaluated every second through a whole recovery: the table it produces changes once
        // when the breaker closes, then never again — not at ramp steps, not when the breaker clears the ramp.
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.Timeout);
            b.Advance(2);
        }

        b.Advance(30);
        ComputedRoutingTable? published = null;
        var versions = 0;
        var multipliers = new List<double>();
        for (var i = 0; i < 120; i++)
        {
            var evaluation = b.Probe(ProbeOutcome.Success);
            var table = RoutingTableBuilder.Build(RoutingFixture.Catalog, new Dictionary<TargetId, BreakerSnapshot> { [Gpt] = evaluation.ToSnapshot() }, [], b.Now);
            if (b.Circuit == CircuitState.Closed && !table.SameDecisionAs(published, b.Now))
            {
                versions++;
                published = table;
            }

            if (b.Circuit == CircuitState.Closed)
            {
                multipliers.Add(evaluation.WeightMultiplier);
            }

            b.Advance(1);
        }

        Assert.Null(b.State.SlowStartStartedAt);
        Assert.Equal(1, versions);
        Assert.Equal(Ramp with { StartedAt = b.Transitions[^1].At }, published!.Get().Tiers[0].Targets[1].SlowStart);
        // The breaker's own multiplier still ramps, stepped by the same rule the subscribers use.
        Assert.Equal(0.1, multipliers[0], 12);
        Assert.Equal(1, multipliers[^1]);
        Assert.Equal(10, multipliers.Distinct().Count(m => m < 1));
    }

    [Fact]
    public void BreakerMultiplier_IsTheDecidedMultiplierTimesTheSharedRampFactor()
    {
        var state = new BreakerState(CircuitState.Degraded, T0, SlowStartStartedAt: T0);
        var settings = BreakerSettings.Default;

        foreach (var s in new[] { 0, 5.9, 6, 33, 59.9, 60 })
        {
            var now = T0.AddSeconds(s);
            Assert.Equal(
                settings.DegradedWeightFactor * SlowStartRamp.Factor(BreakerStateMachine.SlowStart(state, settings), now),
                BreakerStateMachine.WeightMultiplier(state, settings, now));
        }

        Assert.Equal(0.5 * 0.19, BreakerStateMachine.WeightMultiplier(state, settings, T0.AddSeconds(6)), 12);
    }
}
