using ControlPlane.Core.Alerts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Breakers;

/// <summary>Issue #16 item 5: a target that never answered since it entered the control plane is unproven, not healthy.</summary>
public sealed class UnprovenBreakerTests
{
    [Fact]
    public void Evaluate_NoEvidenceYet_IsNeitherProvenNorUnproven()
    {
        var b = new BreakerHarness();

        var evaluation = b.Evaluate();

        Assert.False(evaluation.State.Proven);
        Assert.False(evaluation.Unproven);
        Assert.False(evaluation.ToSnapshot().Unproven);
        Assert.Empty(evaluation.Signals);
    }

    [Fact]
    public void Evaluate_OnlyBadRequests_StaysClosedButIsUnproven()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 5; i++)
        {
            b.Probe(ProbeOutcome.BadRequest);
            b.Advance(2);
        }

        var evaluation = b.Last!;

        Assert.Equal(CircuitState.Closed, b.Circuit);
        Assert.Equal(1, evaluation.WeightMultiplier);
        Assert.True(evaluation.Unproven);
        Assert.True(evaluation.ToSnapshot().Unproven);
        var signal = Assert.Single(evaluation.Signals);
        Assert.Equal(BreakerSignalKind.Misconfiguration, signal.Kind);
        Assert.Equal(
            "never succeeded since it was added: 5 bad requests (400/404/422); check the model name and the probe's parameters",
            signal.Detail);
    }

    [Fact]
    public void Evaluate_OnlyAuthFailures_SignalSaysItNeverSucceededAndNamesTheKey()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 12; i++)
        {
            b.Probe(ProbeOutcome.AuthFailure);
        }

        var signal = Assert.Single(b.Last!.Signals);

        Assert.True(b.Last.Unproven);
        Assert.Equal(BreakerSignalKind.Misconfiguration, signal.Kind);
        Assert.Equal("never succeeded since it was added: 12 auth failures (401/403); check the API key", signal.Detail);
    }

    [Fact]
    public void Evaluate_UnprovenWithQuotaRejections_KeepsTheQuotaSignal()
    {
        var b = new BreakerHarness();
        b.Probe(ProbeOutcome.BadRequest);
        b.Probe(ProbeOutcome.QuotaExceeded);
        b.Probe(ProbeOutcome.BadRequest);

        var signals = b.Last!.Signals;

        Assert.Equal([BreakerSignalKind.Misconfiguration, BreakerSignalKind.QuotaExhausted], signals.Select(s => s.Kind));
        Assert.StartsWith("never succeeded since it was added: 2 bad requests (400/404/422), 1 quota or spend-cap rejections", signals[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_FewerFailuresThanAStreak_IsNotUnprovenYet()
    {
        // One failed first probe of a fresh deployment takes nothing out of the table and pages nobody.
        var b = new BreakerHarness();

        var first = b.Probe(ProbeOutcome.Timeout);
        b.Advance(2);
        var second = b.Probe(ProbeOutcome.Timeout);
        b.Advance(2);
        var third = b.Probe(ProbeOutcome.ServerError);

        Assert.False(first.Unproven);
        Assert.False(second.Unproven);
        Assert.Empty(second.Signals);
        Assert.True(third.Unproven);
        var signal = Assert.Single(third.Signals);
        Assert.Equal("never succeeded since it was added: 2 timeout, 1 server_error", signal.Detail);
    }

    [Fact]
    public void Evaluate_OnlyOverloadedFromTheStart_IsUnprovenButNoMisconfiguration()
    {
        // A 529 comes from a live provider that took the key and the model: load, not configuration (the open alert says so).
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.Overloaded);
        }

        Assert.Equal(CircuitState.Open, b.Circuit);
        Assert.True(b.Last!.Unproven);
        Assert.DoesNotContain(b.Last.Signals, s => s.Kind == BreakerSignalKind.Misconfiguration);
    }

    [Fact]
    public void Evaluate_FirstBadRequestOfANewTarget_AlertWordingSaysItNeverSucceeded()
    {
        // Not unproven yet (one observation), but the alert keeps the summary it is raised with: it must say so now.
        var b = new BreakerHarness();

        var evaluation = b.Probe(ProbeOutcome.BadRequest);

        Assert.False(evaluation.Unproven);
        var signal = Assert.Single(evaluation.Signals);
        Assert.StartsWith("never succeeded since it was added: 1 bad requests (400/404/422)", signal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_BadRequestsOfAProvenTarget_KeepThePlainSignal()
    {
        var b = new BreakerHarness();
        b.Probe(ProbeOutcome.Success);
        b.Advance(2);

        var signal = Assert.Single(b.Probe(ProbeOutcome.BadRequest).Signals);

        Assert.StartsWith("1 bad requests (400/404/422)", signal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_FirstSuccess_ProvesTheTarget()
    {
        var b = new BreakerHarness();
        b.Probe(ProbeOutcome.BadRequest);
        b.Advance(2);

        var evaluation = b.Probe(ProbeOutcome.Success);

        Assert.True(evaluation.State.Proven);
        Assert.False(evaluation.Unproven);
        Assert.DoesNotContain(evaluation.Signals, s => s.Detail.Contains("never succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public void Evaluate_SlowAnswer_ProvesTheTarget()
    {
        var b = new BreakerHarness(objective: TimeSpan.FromSeconds(1));

        var evaluation = b.Probe(ProbeOutcome.Slow, latencyMs: 3000);

        Assert.True(evaluation.State.Proven);
    }

    [Fact]
    public void Evaluate_SuccessfulGatewayTraffic_ProvesTheTarget()
    {
        var b = new BreakerHarness();
        b.Window.Record(new PassiveObservation(TestData.Target, b.Now, new Dictionary<ProbeOutcome, int> { [ProbeOutcome.Success] = 3 }));

        Assert.True(b.Evaluate().State.Proven);
    }

    [Fact]
    public void Evaluate_ProvenTargetThatFailsForLonger_NeverBecomesUnprovenAgain()
    {
        var b = new BreakerHarness();
        b.Probe(ProbeOutcome.Success);

        // An outage long enough for the success to leave the window, through trips and failed trials.
        for (var i = 0; i < 400; i++)
        {
            b.Advance(5);
            var outcome = i % 2 == 0 ? ProbeOutcome.AuthFailure : ProbeOutcome.BadRequest;
            b.Probe(outcome);
            Assert.True(b.State.Proven);
            Assert.False(b.Last!.Unproven);
        }

        Assert.Equal(0, b.Window.Snapshot(b.Now).Available);
        Assert.DoesNotContain(b.Last!.Signals, s => s.Detail.Contains("never succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public void Initial_IsNotProven_SoNewTargetsMustAnswerFirst()
    {
        Assert.False(BreakerState.Initial(TestData.T0).Proven);
    }

    [Fact]
    public void UnprovenSignal_BecomesTheTargetsMisconfigurationAlert()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 12; i++)
        {
            b.Probe(ProbeOutcome.AuthFailure);
        }

        var catalog = Catalogs.Build([("chat", [[(TestData.Target.Value, 1)]], PanicPolicy.FailOpen)]);
        var conditions = AlertConditions.From(new AlertInputs(
            catalog,
            new Dictionary<TargetId, CircuitState> { [TestData.Target] = b.Circuit },
            new Dictionary<TargetId, IReadOnlyList<BreakerSignal>> { [TestData.Target] = b.Last!.Signals },
            new Dictionary<TargetId, DateTimeOffset> { [TestData.Target] = b.Now },
            b.Now,
            null,
            [],
            b.Now));

        var alert = Assert.Single(conditions, c => c.Kind == AlertKind.Misconfiguration);
        Assert.Equal("anthropic:claude-sonnet:misconfiguration", alert.Key);
        Assert.Contains("never succeeded since it was added: 12 auth failures (401/403)", alert.Summary, StringComparison.Ordinal);
    }
}
