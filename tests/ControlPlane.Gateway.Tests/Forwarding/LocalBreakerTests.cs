using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Forwarding;

public sealed class LocalBreakerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly LocalBreaker _breaker;

    public LocalBreakerTests() => _breaker = new LocalBreaker(
        Options.Create(new GatewayOptions { LocalBreaker = new() { ConsecutiveFailures = 3, Cooldown = TimeSpan.FromSeconds(10) } }), _time);

    [Fact]
    public void Breaker_OpensAfterConsecutiveFailures_AndClosesAfterCooldown()
    {
        _breaker.RecordFailure("a/m");
        _breaker.RecordFailure("a/m");
        Assert.False(_breaker.IsOpen("a/m"));

        _breaker.RecordFailure("a/m");
        Assert.True(_breaker.IsOpen("a/m"));
        Assert.False(_breaker.IsOpen("b/m"));

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(_breaker.IsOpen("a/m"));

        // Trial after the cooldown: one more failure trips it again at once.
        _breaker.RecordFailure("a/m");
        Assert.True(_breaker.IsOpen("a/m"));
    }

    [Fact]
    public void Breaker_ASuccessResetsTheStreak()
    {
        _breaker.RecordFailure("a/m");
        _breaker.RecordFailure("a/m");
        _breaker.RecordSuccess("a/m");
        _breaker.RecordFailure("a/m");
        _breaker.RecordFailure("a/m");

        Assert.False(_breaker.IsOpen("a/m"));
    }
}
