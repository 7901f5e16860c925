using ControlPlane.Gateway.Limits;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Limits;

public sealed class AdaptiveLimitTests
{
    private const double Ceiling = 64;
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrencyLimitOptions _options = new() { InitialLimit = 10, Backoff = 0.5, Tolerance = 3 };

    private AdaptiveLimit NewLimit() => new(_options, _time.TimestampFrequency);

    private long Now => _time.GetTimestamp();

    [Fact]
    public void TryAcquire_AtLimit_Refuses_AndReleaseAdmitsAgain()
    {
        var limit = NewLimit();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(SlotDecision.Admitted, limit.TryAcquire(critical: true, Ceiling));
        }

        Assert.Equal(SlotDecision.AtLimit, limit.TryAcquire(critical: true, Ceiling));
        limit.Release();
        Assert.Equal(SlotDecision.Admitted, limit.TryAcquire(critical: true, Ceiling));
    }

    [Fact]
    public void TryAcquire_NonCritical_StopsAtItsShare_WhileCriticalUsesTheRest()
    {
        var limit = NewLimit();
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(SlotDecision.Admitted, limit.TryAcquire(critical: false, Ceiling));
        }

        Assert.Equal(SlotDecision.CriticalReserve, limit.TryAcquire(critical: false, Ceiling));
        Assert.Equal(SlotDecision.Admitted, limit.TryAcquire(critical: true, Ceiling));
        Assert.Equal(SlotDecision.Admitted, limit.TryAcquire(critical: true, Ceiling));
        Assert.Equal(SlotDecision.AtLimit, limit.TryAcquire(critical: true, Ceiling));
    }

    [Fact]
    public void TryAcquire_LimitOfOne_StillAdmitsNonCritical_SoTheTargetKeepsGettingSamples()
    {
        var limit = NewLimit();
        Assert.Equal(SlotDecision.Admitted, limit.TryAcquire(critical: false, ceiling: 1));
        Assert.Equal(SlotDecision.AtLimit, limit.TryAcquire(critical: false, ceiling: 1));
    }

    [Fact]
    public void Limit_NeverAboveTheCeiling()
    {
        var limit = NewLimit();
        Assert.Equal(10, limit.Limit(Ceiling));
        Assert.Equal(4, limit.Limit(4.9));
        Assert.Equal(1, limit.Limit(0.2));
    }

    [Fact]
    public void Sample_Healthy_AddsOne_UpToTheCeiling()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, Fast, overloaded: false, stream: true, ceiling: 12);
        Assert.Equal(11, limit.Limit(Ceiling));
        limit.Sample(Now, Now, Fast, overloaded: false, stream: true, ceiling: 12);
        limit.Sample(Now, Now, Fast, overloaded: false, stream: true, ceiling: 12);
        Assert.Equal(12, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_Overloaded_CutsByBackoff()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, latency: null, overloaded: true, stream: true, Ceiling);
        Assert.Equal(5, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_LatencyAboveToleranceTimesBaseline_CutsByBackoff()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, Fast, overloaded: false, stream: true, Ceiling); // baseline 400 ms, limit 11
        _time.Advance(TimeSpan.FromSeconds(1));
        limit.Sample(Now, Now, TimeSpan.FromMilliseconds(1100), overloaded: false, stream: true, Ceiling); // < 3 × 400 ms
        Assert.Equal(12, limit.Limit(Ceiling));

        _time.Advance(TimeSpan.FromSeconds(1));
        limit.Sample(Now, Now, Slow, overloaded: false, stream: true, Ceiling); // > 3 × 400 ms
        Assert.Equal(6, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_BurstSentBeforeADecrease_CutsOnlyOnce()
    {
        var limit = NewLimit();
        var sentTogether = Now;
        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 5; i++)
        {
            limit.Sample(sentTogether, Now, latency: null, overloaded: true, stream: true, Ceiling);
        }

        Assert.Equal(5, limit.Limit(Ceiling));

        // A request sent after the cut that is still overloaded cuts again.
        var sentAfter = Now;
        _time.Advance(TimeSpan.FromMilliseconds(500));
        limit.Sample(sentAfter, Now, latency: null, overloaded: true, stream: true, Ceiling);
        Assert.Equal(2, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_NeverBelowMinLimit()
    {
        var limit = NewLimit();
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            limit.Sample(Now, Now, latency: null, overloaded: true, stream: true, Ceiling);
        }

        Assert.Equal(1, limit.Limit(Ceiling));
        limit.Sample(Now, Now, Fast, overloaded: false, stream: true, Ceiling);
        Assert.Equal(2, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_FastBaselineUnderTheFloor_JitterAboveItIsNotCongestion()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, TimeSpan.FromMilliseconds(2), overloaded: false, stream: true, Ceiling);
        limit.Sample(Now, Now, TimeSpan.FromMilliseconds(60), overloaded: false, stream: true, Ceiling); // 30 × baseline, under 3 × 250 ms floor
        Assert.Equal(12, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_StreamingAndWholeAnswers_KeepSeparateBaselines()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, Fast, overloaded: false, stream: true, Ceiling);
        // A whole answer's headers come after the last token: slow next to a stream's, yet its own first sample.
        limit.Sample(Now, Now, TimeSpan.FromSeconds(5), overloaded: false, stream: false, Ceiling);
        Assert.Equal(12, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_TargetSlowForLongerThanTwoWindows_BaselineFollowsAndLimitRecovers()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, Fast, overloaded: false, stream: true, Ceiling);
        _time.Advance(TimeSpan.FromSeconds(61));
        limit.Sample(Now, Now, Slow, overloaded: false, stream: true, Ceiling); // the old window's 400 ms still counts
        Assert.Equal(5, limit.Limit(Ceiling));

        _time.Advance(TimeSpan.FromSeconds(61));
        limit.Sample(Now, Now, Slow, overloaded: false, stream: true, Ceiling); // 2 s is the target's speed now
        Assert.Equal(6, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_FailureWithoutLatencyOrOverload_LeavesTheLimit()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, latency: null, overloaded: false, stream: true, Ceiling);
        Assert.Equal(10, limit.Limit(Ceiling));
    }

    [Fact]
    public void Sample_Overloaded_CutsFromTheCeilingWhenTheLimitIsAboveIt()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, latency: null, overloaded: true, stream: true, ceiling: 4);
        Assert.Equal(2, limit.Limit(Ceiling));
    }

    [Fact]
    public void Enter_CountsBeyondTheLimit()
    {
        var limit = NewLimit();
        for (var i = 0; i < 12; i++)
        {
            limit.Enter();
        }

        Assert.Equal(12, limit.InFlight);
        Assert.Equal(SlotDecision.AtLimit, limit.TryAcquire(critical: true, Ceiling));
    }

    [Fact]
    public void Sample_SlowAfterALongIdleSpell_IsStillCongestion()
    {
        var limit = NewLimit();
        limit.Sample(Now, Now, Fast, overloaded: false, stream: true, Ceiling);
        _time.Advance(TimeSpan.FromMinutes(10));
        limit.Sample(Now, Now, Slow, overloaded: false, stream: true, Ceiling);
        Assert.Equal(5, limit.Limit(Ceiling));
    }
}
