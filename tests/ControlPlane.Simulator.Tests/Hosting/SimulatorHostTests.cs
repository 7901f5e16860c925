using Microsoft.Extensions.Options;

namespace ControlPlane.Simulator.Tests.Hosting;

public sealed class SimulatorHostTests
{
    [Fact]
    public async Task StartAsync_InvalidOptions_ReportsEveryProblemAtOnce()
    {
        var options = new SimulatorOptions
        {
            Providers =
            [
                new() { Id = "a", Kind = "anthropic", Models = ["m"] },
                new() { Id = "a", Kind = "cohere", Models = [] },
                new() { Id = "", Kind = "openai", Models = ["m"], Port = 70000 },
            ],
        };

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => SimulatorHost.StartAsync(options));

        Assert.Contains(ex.Failures, f => f.Contains("'a' is used by more than one provider", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("'cohere'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Providers:1:Models", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Providers:2:Id is required", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("70000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Host_UnknownProviderOrInvalidChaos_ThrowsArgumentException()
    {
        await using var host = await SimulatorHost.StartAsync(Support.TestSimulator.Options());

        Assert.Throws<ArgumentException>(() => host.BaseUrlOf("nope"));
        await Assert.ThrowsAsync<ArgumentException>(() => host.SetChaosAsync("openai", new ChaosSettings { FailureRate = 1.5 }));
        Assert.Equal(ChaosSettings.Healthy, host.GetChaos("openai"));
    }

    [Fact]
    public async Task Host_EachProviderOnItsOwnLoopbackPort_AndPortsSurviveRefuse()
    {
        await using var host = await SimulatorHost.StartAsync(Support.TestSimulator.Options());
        var urls = host.ProviderIds.Select(host.BaseUrlOf).ToList();

        Assert.All(urls, u => Assert.Equal("127.0.0.1", u.Host));
        Assert.Equal(urls.Count, urls.Select(u => u.Port).Distinct().Count());
        Assert.DoesNotContain(host.ControlUrl.Port, urls.Select(u => u.Port));

        await host.SetChaosAsync("gemini", new ChaosSettings { Mode = ChaosMode.Refuse });
        await host.SetChaosAsync("gemini", ChaosSettings.Healthy);
        Assert.Equal(urls, host.ProviderIds.Select(host.BaseUrlOf));
    }
}
