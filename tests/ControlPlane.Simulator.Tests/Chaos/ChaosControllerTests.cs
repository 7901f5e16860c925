using ControlPlane.Simulator.Chaos;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Simulator.Tests.Chaos;

public sealed class ChaosControllerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Decide_Healthy_NoLatencyNoFault()
    {
        var chaos = new ChaosController(1, _time);

        Assert.Equal(new ChaosDecision(ChaosMode.Healthy, TimeSpan.Zero, 5), chaos.Decide());
    }

    [Fact]
    public void Decide_SlowWithoutLatency_DefaultsToThreeSeconds()
    {
        var chaos = new ChaosController(1, _time);
        chaos.Apply(new ChaosSettings { Mode = ChaosMode.Slow });

        Assert.Equal(TimeSpan.FromMilliseconds(3000), chaos.Decide().Latency);
    }

    [Fact]
    public void Decide_PartialRate_HitsRoughlyThatFractionAndReplaysPerSeed()
    {
        var chaos = new ChaosController(1, _time);
        chaos.Apply(new ChaosSettings { Mode = ChaosMode.Overloaded, FailureRate = 0.25, Seed = 99 });
        var first = Enumerable.Range(0, 400).Select(_ => chaos.Decide().Mode).ToList();
        chaos.Apply(new ChaosSettings { Mode = ChaosMode.Overloaded, FailureRate = 0.25, Seed = 99 });
        var second = Enumerable.Range(0, 400).Select(_ => chaos.Decide().Mode).ToList();

        Assert.Equal(first, second);
        Assert.InRange(first.Count(m => m == ChaosMode.Overloaded), 60, 140);
    }

    [Fact]
    public void Refuse_FullRateStopsListener_PartialRateKeepsItUp()
    {
        var chaos = new ChaosController(1, _time);

        chaos.Apply(new ChaosSettings { Mode = ChaosMode.Refuse });
        Assert.False(chaos.ListenerShouldRun());

        chaos.Apply(new ChaosSettings { Mode = ChaosMode.Refuse, FailureRate = 0.5 });
        Assert.True(chaos.ListenerShouldRun());
    }

    [Fact]
    public void Schedule_UntilNextStep_CountsDownAndIsNullOnTheLastStep()
    {
        var chaos = new ChaosController(1, _time);
        chaos.Apply(new ChaosSettings
        {
            Schedule = [new ChaosStep { Mode = ChaosMode.Hang, DurationSeconds = 20 }, new ChaosStep { Mode = ChaosMode.Healthy }],
        });

        Assert.Equal(TimeSpan.FromSeconds(20), chaos.UntilNextStep());
        _time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(ChaosMode.Hang, chaos.ActiveStep().Mode);
        Assert.Equal(TimeSpan.FromSeconds(5), chaos.UntilNextStep());
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(ChaosMode.Healthy, chaos.ActiveStep().Mode);
        Assert.Null(chaos.UntilNextStep());
    }

    [Fact]
    public void Validate_ReportsEveryProblemKeyedByField()
    {
        var errors = ChaosValidator.Validate(new ChaosSettings
        {
            Mode = ChaosMode.Refuse,
            FailureRate = 2,
            LatencyMs = -1,
            Schedule = [new ChaosStep { Mode = ChaosMode.Hang }, new ChaosStep { FailureRate = -0.1 }],
        });

        Assert.Equal(
            ["failureRate", "latencyMs", "mode", "schedule[0].durationSeconds", "schedule[1].failureRate"],
            errors.Keys.Order(StringComparer.Ordinal));
    }
}
