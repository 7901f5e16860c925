using System.Net;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Chaos;

public sealed class FailureRateTests
{
    private const int Requests = 24;

    [Fact]
    public async Task FailureRate_SameSeed_SameSequence()
    {
        await using var sim = await TestSimulator.StartAsync();
        var settings = new ChaosSettings { Mode = ChaosMode.ServerError, FailureRate = 0.5, Seed = 1234 };

        await sim.SetChaosAsync(TestSimulator.OpenAi, settings);
        var first = await StatusSequenceAsync(sim, TestSimulator.OpenAi);
        await sim.SetChaosAsync(TestSimulator.OpenAi, settings);
        var second = await StatusSequenceAsync(sim, TestSimulator.OpenAi);

        Assert.Equal(first, second);
        Assert.Contains(HttpStatusCode.OK, first);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, first);
    }

    [Fact]
    public async Task FailureRate_WithoutExplicitSeed_ReplaysAcrossHostsWithTheSameConfiguredSeed()
    {
        var settings = new ChaosSettings { Mode = ChaosMode.Overloaded, FailureRate = 0.3 };
        List<HttpStatusCode> first, second;
        await using (var sim = await TestSimulator.StartAsync(seed: 7))
        {
            await sim.SetChaosAsync(TestSimulator.Anthropic, settings);
            first = await StatusSequenceAsync(sim, TestSimulator.Anthropic);
        }

        await using (var sim = await TestSimulator.StartAsync(seed: 7))
        {
            await sim.SetChaosAsync(TestSimulator.Anthropic, settings);
            second = await StatusSequenceAsync(sim, TestSimulator.Anthropic);
        }

        Assert.Equal(first, second);
        Assert.Contains((HttpStatusCode)529, first);
        Assert.Contains(HttpStatusCode.OK, first);
    }

    [Fact]
    public async Task FailureRate_Zero_NeverFails()
    {
        await using var sim = await TestSimulator.StartAsync();
        await sim.SetChaosAsync(TestSimulator.Gemini, new ChaosSettings { Mode = ChaosMode.ServerError, FailureRate = 0 });

        Assert.All(await StatusSequenceAsync(sim, TestSimulator.Gemini), s => Assert.Equal(HttpStatusCode.OK, s));
    }

    private static async Task<List<HttpStatusCode>> StatusSequenceAsync(TestSimulator sim, string provider)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < Requests; i++)
        {
            using var response = await sim.SendAsync(sim.Inference(provider));
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }
}
