using ControlPlane.Core.Breakers;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Breakers;

public sealed class ProbeCadenceTests
{
    private static readonly BreakerState Closed = BreakerState.Initial(T0);

    [Fact]
    public void Closed_ProbesAtTheConfiguredInterval() =>
        Assert.Equal(TimeSpan.FromSeconds(10), ProbeCadence.IntervalFor(Closed, Probe()));

    [Fact]
    public void HalfOpen_ProbesFourTimesAsOften() =>
        Assert.Equal(TimeSpan.FromSeconds(2.5), ProbeCadence.IntervalFor(Closed with { State = CircuitState.HalfOpen }, Probe()));

    [Fact]
    public void Open_ProbesAtTheCatalogIntervalUntilTheBreakEnds()
    {
        var open = ProbeCadence.Decide(Closed with { State = CircuitState.Open, Suspect = true }, Probe());

        Assert.Equal(TimeSpan.FromSeconds(10), open.Interval);
        Assert.False(open.Urgent);
    }

    [Fact]
    public void Suspect_ProbesFasterToConfirmTheFailure() =>
        Assert.Equal(TimeSpan.FromSeconds(2.5), ProbeCadence.IntervalFor(Closed with { Suspect = true }, Probe()));

    [Fact]
    public void FastProbing_NeverGoesBelowTheMinimum()
    {
        var open = Closed with { State = CircuitState.HalfOpen };

        Assert.Equal(TimeSpan.FromSeconds(1), ProbeCadence.IntervalFor(open, Probe(TimeSpan.FromSeconds(2))));
        Assert.Equal(TimeSpan.FromMilliseconds(500), ProbeCadence.IntervalFor(open, Probe(TimeSpan.FromMilliseconds(500))));
    }

    [Fact]
    public void PassiveTraffic_SlowsProbingWhenItCoversTheTarget()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), ProbeCadence.IntervalFor(Closed, Probe(), passiveObservations: 50));
        Assert.Equal(TimeSpan.FromSeconds(10), ProbeCadence.IntervalFor(Closed, Probe(), passiveObservations: 3));
        var custom = new ProbeCadenceSettings(CoveredMultiplier: 6, CoveredMinimumObservations: 1);
        Assert.Equal(TimeSpan.FromSeconds(60), ProbeCadence.IntervalFor(Closed, Probe(), custom, passiveObservations: 1));
    }

    [Fact]
    public void SuspectTarget_ProbesFastEvenWhenTrafficCoversIt() =>
        Assert.Equal(
            TimeSpan.FromSeconds(2.5),
            ProbeCadence.IntervalFor(Closed with { Suspect = true }, Probe(), passiveObservations: 100));
}

public sealed class ProbeCadenceDecideTests
{
    private static readonly BreakerState Closed = BreakerState.Initial(T0);

    [Fact]
    public void Decide_CoveredByTraffic_SwapsInferenceForAListModelsLivenessProbe()
    {
        var decision = ProbeCadence.Decide(Closed, Probe(), passiveObservations: 50);

        Assert.Equal(ControlPlane.Core.Catalog.ProbeMode.Models, decision.Mode);
        Assert.True(decision.Suppressed);
        Assert.Equal(TimeSpan.FromSeconds(30), decision.Interval);
    }

    [Fact]
    public void Decide_TrafficThins_InferenceProbingReturnsAtTheCatalogInterval()
    {
        var decision = ProbeCadence.Decide(Closed, Probe(), passiveObservations: 3);

        Assert.Equal(ControlPlane.Core.Catalog.ProbeMode.Inference, decision.Mode);
        Assert.False(decision.Suppressed);
        Assert.Equal(TimeSpan.FromSeconds(10), decision.Interval);
    }

    [Fact]
    public void Decide_SuppressionOff_CoveredTargetKeepsInferenceAtTheSlowerInterval()
    {
        var decision = ProbeCadence.Decide(Closed, Probe(), new ProbeCadenceSettings(SuppressWhenCovered: false), passiveObservations: 50);

        Assert.Equal(ControlPlane.Core.Catalog.ProbeMode.Inference, decision.Mode);
        Assert.False(decision.Suppressed);
        Assert.Equal(TimeSpan.FromSeconds(30), decision.Interval);
    }

    [Theory]
    [InlineData(CircuitState.HalfOpen, false)]
    [InlineData(CircuitState.Closed, true)]
    [InlineData(CircuitState.Degraded, true)]
    public void Decide_UrgentTarget_KeepsInferenceEvenUnderTraffic(CircuitState state, bool suspect)
    {
        var decision = ProbeCadence.Decide(Closed with { State = state, Suspect = suspect }, Probe(), passiveObservations: 100);

        Assert.True(decision.Urgent);
        Assert.False(decision.Suppressed);
        Assert.Equal(ControlPlane.Core.Catalog.ProbeMode.Inference, decision.Mode);
        Assert.Equal(TimeSpan.FromSeconds(2.5), decision.Interval);
    }

    [Fact]
    public void Decide_HealthyUncovered_IsNotUrgent() => Assert.False(ProbeCadence.Decide(Closed, Probe()).Urgent);

    [Fact]
    public void Decide_CoveredTarget_StaysCoveredUntilTrafficFallsBelowTheExitThreshold()
    {
        // 7 requests over the horizon: not enough to become covered (10), enough to stay covered (5).
        Assert.False(ProbeCadence.Decide(Closed, Probe(), passiveObservations: 7).Suppressed);
        Assert.True(ProbeCadence.Decide(Closed, Probe(), passiveObservations: 7, wasCovered: true).Suppressed);
        Assert.False(ProbeCadence.Decide(Closed, Probe(), passiveObservations: 4, wasCovered: true).Suppressed);
    }

    [Fact]
    public void Decide_OpenTargetUnderTraffic_IsNotSuppressed() =>
        Assert.False(ProbeCadence.Decide(Closed with { State = CircuitState.Open }, Probe(), passiveObservations: 50, wasCovered: true).Suppressed);
}
