using ControlPlane.Simulator.Chaos;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Simulator.Tests.Chaos;

public sealed class CapacityTests
{
    private readonly FakeTimeProvider _time = new();

    private ChaosController WithCapacity(int? queueLimit)
    {
        var chaos = new ChaosController(1, _time);
        chaos.Apply(new ChaosSettings { LatencyMs = 200, Capacity = 4, QueueLimit = queueLimit });
        return chaos;
    }

    [Fact]
    public void Decide_AtOrUnderCapacity_AnswersInTheServiceTime()
    {
        var chaos = WithCapacity(queueLimit: null);
        Assert.Equal(new ChaosDecision(ChaosMode.Healthy, TimeSpan.FromMilliseconds(200), 5), chaos.Decide(inFlight: 4));
    }

    [Fact]
    public void Decide_BeyondCapacity_StretchesLatencyWithTheLoad()
    {
        var chaos = WithCapacity(queueLimit: null);
        Assert.Equal(TimeSpan.FromMilliseconds(600), chaos.Decide(inFlight: 12).Latency);
        Assert.Equal(ChaosMode.Healthy, chaos.Decide(inFlight: 1000).Mode);
    }

    [Fact]
    public void Decide_PastTheQueue_AnswersOverloadedAtOnce()
    {
        var chaos = WithCapacity(queueLimit: 4);
        Assert.Equal(ChaosMode.Healthy, chaos.Decide(inFlight: 8).Mode);
        Assert.Equal(new ChaosDecision(ChaosMode.Overloaded, TimeSpan.Zero, 5), chaos.Decide(inFlight: 9));
    }

    [Fact]
    public void Enter_CountsRequestsInFlight_UntilTheyLeave()
    {
        var chaos = new ChaosController(1, _time);
        Assert.Equal(1, chaos.Enter());
        Assert.Equal(2, chaos.Enter());
        chaos.Leave();
        Assert.Equal(2, chaos.Enter());
    }

    [Fact]
    public void Validate_CapacityProblems_AreAllListed()
    {
        var errors = ChaosValidator.Validate(new ChaosSettings { Capacity = 0, QueueLimit = -1 });
        Assert.Contains("capacity", errors.Keys);
        Assert.Contains("queueLimit", errors.Keys);

        errors = ChaosValidator.Validate(new ChaosSettings { Capacity = 2, QueueLimit = null });
        Assert.Contains("latencyMs", errors.Keys);

        errors = ChaosValidator.Validate(new ChaosSettings { QueueLimit = 3 });
        Assert.Contains("queueLimit", errors.Keys);
    }
}
