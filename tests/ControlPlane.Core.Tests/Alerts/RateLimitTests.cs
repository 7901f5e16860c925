using ControlPlane.Core.Alerts;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace ControlPlane.Core.Tests.Alerts;

public sealed class RateLimitTests
{
    private readonly FakeTimeProvider _time = new(TestData.T0);

    [Fact]
    public void Slack_AllowsOneMessagePerSecond()
    {
        var bucket = TokenBucket.Full(RateLimit.Slack, _time.GetUtcNow());

        Assert.True(bucket.TryTake(_time.GetUtcNow(), out bucket, out _));
        Assert.False(bucket.TryTake(_time.GetUtcNow(), out bucket, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(1), wait);

        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(bucket.TryTake(_time.GetUtcNow(), out bucket, out _));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(bucket.TryTake(_time.GetUtcNow(), out _, out _));
    }

    [Fact]
    public void PagerDuty_NeverExceeds120EventsInAnyMinute()
    {
        var bucket = TokenBucket.Full(RateLimit.PagerDuty, _time.GetUtcNow());
        var sent = new List<DateTimeOffset>();

        // A sender that tries every 100 ms for three minutes.
        for (var i = 0; i < 1800; i++)
        {
            if (bucket.TryTake(_time.GetUtcNow(), out bucket, out _))
            {
                sent.Add(_time.GetUtcNow());
            }

            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var worstMinute = sent.Max(start => sent.Count(t => t >= start && t < start + TimeSpan.FromMinutes(1)));
        Assert.InRange(worstMinute, 100, 120);
    }
}
