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
}
