using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Simulator;
using static ControlPlane.Service.Tests.Probing.SimulatedProvidersFixture;

namespace ControlPlane.Service.Tests.Probing.Usage;

/// <summary>
/// The real ProbeExecutor against the simulator: each probe's usage is what the simulator's answer carried, which
/// the simulator sums in its stats. Probes run one after another (one class), so a reset isolates each probe.
/// </summary>
public sealed class ProbeUsageAgainstSimulatorTests(SimulatedProvidersFixture fixture) : IClassFixture<SimulatedProvidersFixture>, IAsyncLifetime
{
    public static TheoryData<ProviderKind, bool> AllKindsStreamedAndNot
    {
        get
        {
            var data = new TheoryData<ProviderKind, bool>();
            foreach (var kind in Kinds)
            {
                data.Add(kind, true);
                data.Add(kind, false);
            }

            return data;
        }
    }

    public static TheoryData<ProviderKind> AllKinds => new(Kinds);

    public async Task InitializeAsync()
    {
        foreach (var kind in Kinds)
        {
            await fixture.Simulator.SetChaosAsync(ProviderId(kind), ChaosSettings.Healthy);
            fixture.Simulator.ResetStats(ProviderId(kind));
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(AllKindsStreamedAndNot))]
    public async Task Probe_HealthyInference_ReportsTheUsageTheAnswerCarried(ProviderKind kind, bool stream)
    {
        var sample = await fixture.Executor.ProbeAsync(Target(ProviderId(kind), stream: stream), CancellationToken.None);

        var billed = fixture.Simulator.StatsOf(ProviderId(kind)).Tokens;
        Assert.Equal(ProbeOutcome.Success, sample.Outcome);
        Assert.True(billed.Input > 0 && billed.Output > 0, $"the simulator billed nothing: {billed}");
        Assert.Equal(new ProbeUsage((int)billed.Input, (int)billed.Output, (int)billed.Reasoning), sample.Usage);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Probe_ModelsMode_HasNoUsage(ProviderKind kind)
    {
        var sample = await fixture.Executor.ProbeAsync(Target(ProviderId(kind), mode: ProbeMode.Models), CancellationToken.None);

        Assert.Equal(ProbeOutcome.Success, sample.Outcome);
        Assert.Null(sample.Usage);
    }

    [Theory]
    [MemberData(nameof(AllKinds))]
    public async Task Probe_ServerError_HasNoUsage(ProviderKind kind)
    {
        await fixture.Simulator.SetChaosAsync(ProviderId(kind), new ChaosSettings { Mode = ChaosMode.ServerError });

        var sample = await fixture.Executor.ProbeAsync(Target(ProviderId(kind)), CancellationToken.None);

        Assert.Equal(ProbeOutcome.ServerError, sample.Outcome);
        Assert.Null(sample.Usage);
    }
}
