using ControlPlane.Core.Breakers;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Breakers;

public sealed class ProbeCadenceTests
{
    private static readonly BreakerState Closed = BreakerState.Initial(T0);

    [Fact]
    public void Closed_ProbesAtTheConfiguredInterval() =>
        Assert.Equal(TimeSpan.FromSeconds(10), ProbeCadence.IntervalFor(Closed, Probe()));

    [Theory]
    [InlineData(CircuitState.Open)]
    [InlineData(CircuitState.HalfOpen)]
    public void OpenOrHalfOpen_ProbesFourTimesAsOften(CircuitState state) =>
        Assert.Equal(TimeSpan.FromSeconds(2.5), ProbeCadence.IntervalFor(Closed with { State = state }, Probe()));

    [Fact]
    public void Suspect_ProbesFasterToConfirmTheFailure() =>
        Assert.Equal(TimeSpan.FromSeconds(2.5), ProbeCadence.IntervalFor(Closed with { Suspect = true }, Probe()));

    [Fact]
    public void FastProbing_NeverGoesBelowTheMinimum()
    {
        var open = Closed with { State = CircuitState.Open };

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
    public void OpenTarget_ProbesFastEvenWhenTrafficCoversIt() =>
        Assert.Equal(
            TimeSpan.FromSeconds(2.5),
            ProbeCadence.IntervalFor(Closed with { State = CircuitState.Open }, Probe(), passiveObservations: 100));
}
