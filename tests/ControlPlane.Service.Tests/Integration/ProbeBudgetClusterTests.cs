using System.Diagnostics;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>
/// A provider's ProbeBudgetPerMinute is fleet-wide: two replicas sharing the targets stay within it together. A class
/// (and so a database) of its own: the budget-stretched cadences it leaves in probe_cadence must not be read by other
/// tests' replicas.
/// </summary>
public sealed class ProbeBudgetClusterTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const int TargetCount = 16;

    [Fact]
    public async Task TwoReplicas_KeepABudgetedProviderWithinItsFleetWideBudget()
    {
        // 16 targets at 2 s would cost 480 probes a minute; the provider allows 48. Shared fairly, each target gets one
        // probe every 20 s, whichever replica probes it (a target made suspect by a slow probe on a busy machine is
        // served first, and the others then wait longer).
        const int budget = 48;
        var models = Enumerable.Range(1, TargetCount).Select(i => $"budgeted-{i}").ToList();
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = [new SimulatedProviderOptions { Id = "local", Kind = "openai-compatible", Models = models }],
        });
        using var config = ConfigFile.Write(new
        {
            Catalog = new
            {
                Probe = new { Interval = "00:00:02", Timeout = "00:00:02" },
                Providers = new[] { new { Id = "local", Kind = "openai-compatible", BaseUrl = simulator.BaseUrlOf("local").ToString(), ProbeBudgetPerMinute = budget } },
                Targets = models.Select(m => new { Provider = "local", Model = m }).ToArray(),
            },
        });
        var environment = (await ServiceEnvironment.CreateAsync(database.ConnectionString)).With(new Dictionary<string, string?>
        {
            [ConfigFile.Variable] = config.Path,
        });
        await using var dataSource = database.CreateDataSource();
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);

        var replicas = await Task.WhenAll(
            ServiceProcess.StartAsync("ControlPlane.Service", environment),
            ServiceProcess.StartAsync("ControlPlane.Service", environment));
        await using var first = replicas[0];
        await using var second = replicas[1];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // The window is measured, not waited on for synchronisation: a rate needs a span of time to count over. It opens
        // at the start, because the budget must hold from the first probe, before the leader has decided anything.
        var window = TimeSpan.FromSeconds(30);
        var running = Stopwatch.StartNew();
        await Eventually.UntilAsync(
            () => Task.FromResult(!first.HasExited && !second.HasExited && running.Elapsed >= window),
            window + TimeSpan.FromSeconds(10),
            $"both replicas have run for {window.TotalSeconds} s");
        Assert.False(first.HasExited || second.HasExited, $"a replica exited:\n{first.Output}\n{second.Output}");
        var until = DateTimeOffset.UtcNow;
        await Eventually.UntilAsync(
            async () => (await StoredSamples.CountPerTargetAsync(dataSource, until, DateTimeOffset.UtcNow.AddMinutes(1))).Count > 0,
            TimeSpan.FromSeconds(30),
            "samples after the window have been written, so the window is complete");

        var counts = await StoredSamples.CountPerTargetAsync(dataSource, since, until);
        var total = counts.Values.Sum();
        var span = until - since;
        // At most the budget's rate over the span, plus one probe per target for where each one's 20 s grid meets the
        // window's edges. Unbudgeted, the same span holds about 16 × 15 = 240 probes.
        var ceiling = budget * span.TotalMinutes + TargetCount;
        Assert.True(total <= ceiling, $"{total} probes in {span.TotalSeconds:0.0} s; the budget allows {ceiling:0} ({budget} a minute + one per target)");

        var probesByReplica = new List<double>();
        var binding = 0.0;
        foreach (var replica in replicas)
        {
            var metrics = await PrometheusText.ScrapeAsync(http, replica.BaseUrl);
            probesByReplica.Add(metrics.Sum("controlplane_probes_total"));
            binding = Math.Max(binding, metrics.Sum("controlplane_probe_budget_binding"));
        }

        Assert.True(probesByReplica.All(p => p > 0), $"both replicas share the budgeted probes: {string.Join(", ", probesByReplica)}");
        Assert.Equal(1, binding);

        using var targets = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(first.BaseUrl, "api/targets")));
        Assert.All(targets.RootElement.EnumerateArray(), t =>
        {
            var cadence = t.GetProperty("cadence");
            // 20 s each while all are healthy; a target made suspect by a slow probe on a busy machine is served first
            // and the others stretch further, but every one stays limited by the budget.
            Assert.True(cadence.GetProperty("budgetLimited").GetBoolean(), t.ToString());
            Assert.True(cadence.GetProperty("intervalSeconds").GetDouble() > cadence.GetProperty("desiredIntervalSeconds").GetDouble(), t.ToString());
        });
    }
}
