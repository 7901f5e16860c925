using System.Net;
using ControlPlane.Simulator.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Simulator.Tests.Chaos;

/// Schedules run on the injected TimeProvider, so a fake clock walks through the steps with no sleeping.
public sealed class ScheduleTests
{
    [Fact]
    public async Task Schedule_StepsAdvanceWithTheInjectedClock_LastStepHolds()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(time);
        await sim.SetChaosAsync(TestSimulator.OpenAi, new ChaosSettings
        {
            Schedule =
            [
                new ChaosStep { Mode = ChaosMode.ServerError, DurationSeconds = 30 },
                new ChaosStep { Mode = ChaosMode.RateLimited, DurationSeconds = 10, RetryAfterSeconds = 9 },
                new ChaosStep { Mode = ChaosMode.Healthy },
            ],
        });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(sim));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await StatusAsync(sim));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(sim));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(sim));
        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(sim));
    }

    [Fact]
    public async Task Schedule_RefuseStep_StopsListenerThenRestartsItWhenTheStepEnds()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(time);
        await sim.SetChaosAsync(TestSimulator.Anthropic, new ChaosSettings
        {
            Schedule =
            [
                new ChaosStep { Mode = ChaosMode.Healthy, DurationSeconds = 5 },
                new ChaosStep { Mode = ChaosMode.Refuse, DurationSeconds = 30 },
                new ChaosStep { Mode = ChaosMode.Overloaded },
            ],
        });
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(sim, TestSimulator.Anthropic));

        time.Advance(TimeSpan.FromSeconds(5));
        await sim.Host.WhenSettledAsync(TestSimulator.Anthropic);
        await Assert.ThrowsAsync<HttpRequestException>(() => StatusAsync(sim, TestSimulator.Anthropic));

        time.Advance(TimeSpan.FromSeconds(30));
        await sim.Host.WhenSettledAsync(TestSimulator.Anthropic);
        Assert.Equal((HttpStatusCode)529, await StatusAsync(sim, TestSimulator.Anthropic));
    }

    [Fact]
    public async Task Schedule_ReplacedBySetChaos_OldStepsNoLongerApply()
    {
        var time = new FakeTimeProvider();
        await using var sim = await TestSimulator.StartAsync(time);
        await sim.SetChaosAsync(TestSimulator.Local, new ChaosSettings
        {
            Schedule = [new ChaosStep { Mode = ChaosMode.Healthy, DurationSeconds = 10 }, new ChaosStep { Mode = ChaosMode.Refuse }],
        });
        await sim.SetChaosAsync(TestSimulator.Local, ChaosSettings.Healthy);

        time.Advance(TimeSpan.FromSeconds(60));
        await sim.Host.WhenSettledAsync(TestSimulator.Local);

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(sim, TestSimulator.Local));
    }

    private static async Task<HttpStatusCode> StatusAsync(TestSimulator sim, string provider = TestSimulator.OpenAi)
    {
        using var response = await sim.SendAsync(sim.Inference(provider));
        return response.StatusCode;
    }
}
