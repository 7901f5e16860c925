using System.Diagnostics;
using System.Globalization;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>
/// Two replicas on one database check in to Quartz's clustered job store and split the targets between them: each
/// target is probed once per interval in total, not once per replica, and both replicas take a share of the work.
/// </summary>
public sealed class ClusteredProbingTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    // Enough that each of two replicas owns some (rendezvous hashing over random instance ids: P(one owns none) = 2⁻¹⁵).
    private const int TargetCount = 16;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Run = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task TwoReplicas_ProbeEachTargetOncePerInterval_AndBothDoWork()
    {
        var models = Enumerable.Range(1, TargetCount).Select(i => $"model-{i}").ToList();
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = [new SimulatedProviderOptions { Id = "local", Kind = "openai-compatible", Models = models }],
        });
        using var config = ConfigFile.Write(new
        {
            Catalog = new
            {
                Probe = new { Interval = Interval.ToString("c", CultureInfo.InvariantCulture), Timeout = "00:00:01" },
                Providers = new[] { new { Id = "local", Kind = "openai-compatible", BaseUrl = simulator.BaseUrlOf("local").ToString() } },
                Targets = models.Select(m => new { Provider = "local", Model = m }).ToArray(),
            },
        });
        var environment = (await ServiceEnvironment.CreateAsync(database.ConnectionString)).With(new Dictionary<string, string?>
        {
            [ConfigFile.Variable] = config.Path,
            // Adaptive probing would rightly change intervals if a probe stalled on a busy machine; this test is
            // about the clustered store alone.
            ["Breakers__AdaptiveProbing"] = "false",
        });

        // Both start at once, so they also race on migrations and on reconciling the schedule.
        var replicas = await Task.WhenAll(
            ServiceProcess.StartAsync("ControlPlane.Service", environment),
            ServiceProcess.StartAsync("ControlPlane.Service", environment));
        await using var first = replicas[0];
        await using var second = replicas[1];
        await using var dataSource = database.CreateDataSource();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await Eventually.UntilAsync(
            async () => (await StoredSamples.CountPerTargetAsync(dataSource, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1))).Count == TargetCount,
            TimeSpan.FromSeconds(30),
            "every target has been probed");
        var windowStart = DateTimeOffset.UtcNow;
        var running = Stopwatch.StartNew();
        await Eventually.UntilAsync(
            () => Task.FromResult(!first.HasExited && !second.HasExited && running.Elapsed >= Run),
            Run + TimeSpan.FromSeconds(10),
            $"both replicas have run for {Run.TotalSeconds} s");
        Assert.False(first.HasExited || second.HasExited, $"a replica exited:\n{first.Output}\n{second.Output}");

        // Leave the ingest (≤ 200 ms batching) time to write the window's last samples.
        var windowEnd = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(1);
        await Eventually.UntilAsync(
            async () => (await StoredSamples.CountPerTargetAsync(dataSource, windowEnd, DateTimeOffset.UtcNow.AddMinutes(1))).Count == TargetCount,
            TimeSpan.FromSeconds(15),
            "samples after the window have been written, so the window is complete");

        var counts = await StoredSamples.CountPerTargetAsync(dataSource, windowStart, windowEnd);
        var expected = (windowEnd - windowStart) / Interval;
        Assert.Equal(TargetCount, counts.Count);
        // Once per interval, not once per replica: two replicas probing the same target would give about twice the
        // expected count, a starved one about none. The bounds sit halfway to either, so a busy machine's late or
        // early firings (or one double firing while the second replica joins) do not decide the test; sharing does.
        Assert.All(counts, c => Assert.True(
            c.Value > expected * 0.5 && c.Value < expected * 1.5,
            $"{c.Key}: {c.Value} samples in {(windowEnd - windowStart).TotalSeconds:0.0} s, expected about {expected:0.0} (one per {Interval.TotalSeconds} s, not one per replica)"));

        await using (var command = dataSource.CreateCommand("SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = 'controlplane-probes'"))
        {
            Assert.Equal(2L, (long)(await command.ExecuteScalarAsync())!);
        }

        var probesByReplica = new List<double>();
        foreach (var replica in replicas)
        {
            var metrics = await PrometheusText.ScrapeAsync(http, replica.BaseUrl);
            probesByReplica.Add(metrics.Sum("controlplane_probes_total"));
        }

        Assert.True(probesByReplica.All(p => p > 0), $"probes per replica: {string.Join(", ", probesByReplica)}");
    }
}
