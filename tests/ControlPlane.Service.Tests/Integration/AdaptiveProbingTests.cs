using System.Globalization;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration;

/// <summary>
/// Adaptive probing across replicas: the leader decides that suspect targets (failing, not yet tripped) are probed
/// faster, and the replica that owns each target (not necessarily the leader) picks the decision up from the
/// probe_cadence table and probes faster.
/// </summary>
public sealed class AdaptiveProbingTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    // Enough that each of two replicas owns some (rendezvous hashing over random instance ids: P(one owns none) = 2⁻¹⁵).
    private const int TargetCount = 16;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task SuspectTargets_AreProbedFaster_ByWhicheverReplicaOwnsThem()
    {
        var models = Enumerable.Range(1, TargetCount).Select(i => $"model-{i}").ToList();
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = [new SimulatedProviderOptions { Id = "flaky", Kind = "openai-compatible", Models = models }],
        });
        using var config = ConfigFile.Write(new
        {
            Catalog = new
            {
                Probe = new { Mode = "models", Interval = Interval.ToString("c", CultureInfo.InvariantCulture), Timeout = "00:00:01" },
                Providers = new[] { new { Id = "flaky", Kind = "openai-compatible", BaseUrl = simulator.BaseUrlOf("flaky").ToString() } },
                Targets = models.Select(m => new { Provider = "flaky", Model = m }).ToArray(),
            },
        });
        var environment = (await ServiceEnvironment.CreateAsync(database.ConnectionString)).With(new Dictionary<string, string?>
        {
            [ConfigFile.Variable] = config.Path,
            ["Probing__ClusterCheckinInterval"] = "00:00:01",
            ["Probing__OwnershipRefreshInterval"] = "00:00:00.500",
            // Failing targets stay suspect (Closed, failures streaking) instead of tripping, long enough to measure the
            // fast cadence: an Open target is probed at its catalog interval until its break ends.
            ["Breakers__ConsecutiveFailureThreshold"] = "1000",
            ["Breakers__MinimumSamples"] = "1000",
        });
        await using var first = await ServiceProcess.StartAsync("ControlPlane.Service", environment);
        await using var second = await ServiceProcess.StartAsync("ControlPlane.Service", environment);
        await using var dataSource = database.CreateDataSource();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // Both replicas see each other and split the targets.
        await Eventually.UntilAsync(
            async () => (await OwnedAsync(http, first)) > 0 && (await OwnedAsync(http, second)) > 0
                && (await OwnedAsync(http, first)) + (await OwnedAsync(http, second)) == TargetCount,
            TimeSpan.FromSeconds(30),
            "the two replicas split the targets between them");

        await simulator.SetChaosAsync("flaky", new ChaosSettings { Mode = ChaosMode.ServerError });

        // The leader finds every target suspect and records the fast cadence (interval / 4) for every target.
        var fast = TimeSpan.FromTicks(Interval.Ticks / 4);
        await Eventually.UntilAsync(
            async () => await CountCadenceAsync(dataSource, fast) == TargetCount,
            TimeSpan.FromSeconds(60),
            $"probe_cadence holds {fast.TotalSeconds} s for all {TargetCount} targets");

        // Every target, on whichever replica probes it, now runs at the fast interval. Three samples within less than
        // one catalog interval cannot happen at the catalog cadence (they would span two intervals), so no rate and
        // no measuring window are needed: wait until every target shows it.
        var since = DateTimeOffset.UtcNow;
        await Eventually.UntilAsync(
            async () => await CountProbedFasterThanAsync(dataSource, since, Interval) == TargetCount,
            TimeSpan.FromSeconds(60),
            $"every one of the {TargetCount} targets has three samples within less than {Interval.TotalSeconds} s");
        Assert.False(first.HasExited || second.HasExited);
    }

    private static async Task<double> OwnedAsync(HttpClient http, ServiceProcess replica) =>
        (await PrometheusText.ScrapeAsync(http, replica.BaseUrl)).Sum("controlplane_probe_targets_owned");

    private static async Task<long> CountProbedFasterThanAsync(NpgsqlDataSource dataSource, DateTimeOffset since, TimeSpan interval)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT count(DISTINCT target_id) FROM (
                SELECT target_id, observed_at - lag(observed_at, 2) OVER (PARTITION BY target_id ORDER BY observed_at) AS span
                FROM probe_samples WHERE observed_at >= $1) s
            WHERE span < $2
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = since });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = interval });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<long> CountCadenceAsync(NpgsqlDataSource dataSource, TimeSpan interval)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM probe_cadence WHERE interval_ms = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (long)interval.TotalMilliseconds });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
