using ControlPlane.Core.Breakers;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Breakers;

/// <summary>A probe the provider rejects as malformed (400/404/422) says our probe is wrong, not how the target is.</summary>
public sealed class BadRequestProbeTests
{
    [Fact]
    public void BadRequestProbes_OnAClosedTarget_NeverTripAndRaiseMisconfiguration()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 10; i++)
        {
            b.Probe(ProbeOutcome.BadRequest);
            b.Advance(1);
        }

        Assert.Equal(CircuitState.Closed, b.Circuit);
        Assert.Empty(b.Transitions);
        var signal = Assert.Single(b.Last!.Signals);
        Assert.Equal(BreakerSignalKind.Misconfiguration, signal.Kind);
        // A target that never answered is also unproven, and the signal says so first.
        Assert.Contains("10 bad requests (400/404/422)", signal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void BadRequestProbes_DuringHalfOpenTrial_DoNotCountAsSuccesses()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.Timeout);
        }

        Assert.Equal(CircuitState.Open, b.Circuit);
        b.Advance(TimeSpan.FromHours(1));
        b.Evaluate();
        Assert.Equal(CircuitState.HalfOpen, b.Circuit);

        for (var i = 0; i < 10; i++)
        {
            b.Probe(ProbeOutcome.BadRequest);
            b.Advance(1);
        }

        // Neither a failure (no reopen) nor an answer (no close): the trial waits for a real answer.
        Assert.Equal(CircuitState.HalfOpen, b.Circuit);
        Assert.Equal(0.0, b.State.HalfOpenSuccesses);
        Assert.Contains(b.Last!.Signals, s => s.Kind == BreakerSignalKind.Misconfiguration);

        b.Probe(ProbeOutcome.Success);
        Assert.Equal(1.0, b.State.HalfOpenSuccesses);
    }
}
