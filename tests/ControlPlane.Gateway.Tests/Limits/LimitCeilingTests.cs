using ControlPlane.Contracts;
using ControlPlane.Gateway.Limits;

namespace ControlPlane.Gateway.Tests.Limits;

public sealed class LimitCeilingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private readonly ConcurrencyLimitOptions _options = new() { MaxConcurrency = 40, DegradedShare = 0.5 };

    [Theory]
    [InlineData(TargetStates.Closed, 40)]
    [InlineData(TargetStates.Degraded, 20)]
    [InlineData(TargetStates.HalfOpen, 20)]
    [InlineData(null, 40)]
    public void Of_ScalesByTheTargetsState(string? state, double expected) =>
        Assert.Equal(expected, LimitCeiling.Of(_options, state, slowStart: null, Now));

    [Fact]
    public void Of_InSlowStart_ScalesByTheRamp()
    {
        var ramp = SlowStartRamp.Create(Now, TimeSpan.FromSeconds(60), floor: 0.1, steps: 1);
        var expected = 40 * SlowStartRamp.Factor(ramp, Now);
        Assert.True(expected < 40);
        Assert.Equal(expected, LimitCeiling.Of(_options, TargetStates.Closed, ramp, Now));
        Assert.Equal(40, LimitCeiling.Of(_options, TargetStates.Closed, ramp, Now.AddSeconds(61)));
    }

    [Fact]
    public void Of_NeverBelowMinLimit() =>
        Assert.Equal(1, LimitCeiling.Of(new ConcurrencyLimitOptions { MaxConcurrency = 1, DegradedShare = 0.1 }, TargetStates.Degraded, null, Now));

    [Theory]
    [InlineData(30, 1, 30)]   // one gateway takes the whole fleet ceiling (under its own 40)
    [InlineData(30, 4, 8)]    // ceil(30 / 4)
    [InlineData(100, 2, 40)]  // the gateway's own maximum still applies
    [InlineData(3, 10, 1)]    // a share never rounds to nothing
    public void Of_TakesThisGatewaysShareOfTheFleetCeiling(int fleetMax, int gateways, double expected) =>
        Assert.Equal(expected, LimitCeiling.Of(_options, TargetStates.Closed, slowStart: null, Now, fleetMax, gateways));

    [Fact]
    public void Of_TheShareIsScaledByStateLikeTheRest() =>
        Assert.Equal(4, LimitCeiling.Of(_options, TargetStates.Degraded, slowStart: null, Now, fleetMax: 30, gateways: 4));
}
