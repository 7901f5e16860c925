using ControlPlane.Contracts.Providers;

namespace ControlPlane.Contracts.Tests.Providers;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData("30", null, 30_000)]
    [InlineData("1.5", null, 1_500)]
    [InlineData(null, "250", 250)]
    [InlineData("30", "250", 250)]
    [InlineData("Fri, 02 Jan 2026 03:04:15 GMT", null, 10_000)]
    [InlineData("Fri, 02 Jan 2026 03:00:00 GMT", null, 0)]
    public void Parse_ReadsSecondsMillisecondsAndDates(string? header, string? ms, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryAfter.Parse(header, ms, Now));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-3")]
    public void Parse_Garbage_IsNull(string? header) => Assert.Null(RetryAfter.Parse(header, null, Now));
}

public sealed class RetryAfterPauseBoundTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData(null, null)]
    [InlineData(0.0, null)]          // "retry now" pauses nothing
    [InlineData(-3.0, null)]
    [InlineData(20.0, 20.0)]
    [InlineData(3_600.0, 300.0)]     // an hour is capped at five minutes
    [InlineData(200_000.0, null)]    // over a day: garbage, ignored rather than capped
    public void PauseFor_BoundsTheHint(double? hintSeconds, double? expectedSeconds) =>
        Assert.Equal(
            expectedSeconds is { } e ? TimeSpan.FromSeconds(e) : null,
            RetryAfter.PauseFor(hintSeconds is { } h ? TimeSpan.FromSeconds(h) : null));

    [Fact]
    public void PauseUntil_InstantInThePast_IsNoPause() => Assert.Null(RetryAfter.PauseUntil(Now.AddSeconds(-1), Now));

    [Fact]
    public void PauseUntil_FarInstant_IsCappedFromNow() =>
        Assert.Equal(Now + RetryAfter.MaxPause, RetryAfter.PauseUntil(Now.AddMinutes(30), Now));
}
