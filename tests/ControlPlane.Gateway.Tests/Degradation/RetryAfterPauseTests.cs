using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Traffic;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Degradation;

public sealed class RetryAfterPauseTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Pause_HintInForce_TargetIsPausedUntilItRunsOut()
    {
        var time = new FakeTimeProvider(Now);
        var pauses = new RetryAfterPause(time);

        Assert.Equal(Now.AddSeconds(20), pauses.Pause("a/m", TimeSpan.FromSeconds(20)));
        Assert.True(pauses.IsPaused("a/m"));
        Assert.False(pauses.IsPaused("b/m"));

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(pauses.IsPaused("a/m"));
    }

    [Fact]
    public void Pause_ShorterHintLater_DoesNotCutThePauseShort()
    {
        var time = new FakeTimeProvider(Now);
        var pauses = new RetryAfterPause(time);
        pauses.Pause("a/m", TimeSpan.FromSeconds(30));

        pauses.Pause("a/m", TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(pauses.IsPaused("a/m"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(172_800)] // two days: garbage
    public void Pause_NoOrAbsurdHint_PausesNothing(int seconds)
    {
        var pauses = new RetryAfterPause(new FakeTimeProvider(Now));

        Assert.Null(pauses.Pause("a/m", TimeSpan.FromSeconds(seconds)));
        Assert.False(pauses.IsPaused("a/m"));
    }

    [Fact]
    public void Pause_HourLongHint_IsCappedAtFiveMinutes()
    {
        var time = new FakeTimeProvider(Now);
        var pauses = new RetryAfterPause(time);

        Assert.Equal(Now.AddMinutes(5), pauses.Pause("a/m", TimeSpan.FromHours(1)));
    }

    [Fact]
    public void TrafficReport_CarriesTheLatestRetryAfterUntil_OnlyForTheTargetThatSentIt()
    {
        var recorder = new TrafficRecorder();
        recorder.Record("a/m", "rate_limited", TimeSpan.FromMilliseconds(3));
        recorder.RecordRetryAfter("a/m", Now.AddSeconds(30));
        recorder.RecordRetryAfter("a/m", Now.AddSeconds(10));
        recorder.Record("b/m", "success", TimeSpan.FromMilliseconds(3));

        var report = recorder.Drain();

        Assert.Equal(Now.AddSeconds(30), report.Single(t => t.Target == "a/m").RetryAfterUntil);
        Assert.Null(report.Single(t => t.Target == "b/m").RetryAfterUntil);
    }
}
