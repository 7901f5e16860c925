using ControlPlane.Simulator;
using ControlPlane.Testing;
using Npgsql;
using Xunit;

namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>
/// Two replicas on one database. The leader is SIGKILLed like a crashed pod; the survivor must take the advisory
/// lock, take over the dead replica's probes once its check-in goes stale, and keep evaluating: a breaker change caused after the kill is
/// committed by the survivor as a new table version chained to the dead leader's last one.
/// </summary>
/// <remarks>
/// Written so it does not depend on which replica ran a probe: the outage starts only after the leader is gone,
/// so every failing probe that matters runs on the survivor.
/// </remarks>
[Collection(ServiceProcessCollection.Name)]
public sealed class LeaderHandoffTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    /// <summary>Postgres shows a bigint advisory key split into classid (high half) and objid (low half).</summary>
    private const long LeaderLockKey = ControlPlane.Service.Leadership.LeaderElection.LockKey;

    private static readonly TestRoute Route = new("chat-default", "anthropic", "openai", "claude-sonnet-4-5");

    [Fact]
    public async Task KilledLeader_SurvivorTakesOver_AndCommitsTheNextTableVersionAndTransitions()
    {
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString,
            [Route],
            probeInterval: TimeSpan.FromSeconds(1),
            environment: new Dictionary<string, string?> { ["Breakers__BaseBreakDuration"] = "00:00:30" });
        var first = await stack.StartReplicaAsync();
        var second = await stack.StartReplicaAsync();
        using var firstHttp = ControlPlaneStack.Client(first);
        using var secondHttp = ControlPlaneStack.Client(second);

        var leaderIndex = -1;
        await stack.UntilAsync(
            async () =>
            {
                var a = await OperationsReader.MetricAsync(firstHttp, "controlplane_leader");
                var b = await OperationsReader.MetricAsync(secondHttp, "controlplane_leader");
                leaderIndex = (a, b) switch { (1, 0) => 0, (0, 1) => 1, _ => -1 };
                return leaderIndex >= 0;
            },
            "exactly one of the two replicas reports controlplane_leader 1");
        await stack.UntilAsync(
            async () => await OperationsReader.LatestRouteAsync(firstHttp, Route.Id) is { ActiveTier: 0 },
            "the leader commits a first table with chat-default on tier 0");

        var (leader, survivor, survivorHttp) = leaderIndex == 0 ? (first, second, secondHttp) : (second, first, firstHttp);
        Assert.Equal(1, await CountLockHoldersAsync());

        leader.Kill();
        var killedAt = DateTimeOffset.UtcNow;
        var before = await OperationsReader.VersionsAsync(survivorHttp);
        var lastBefore = before[^1].Version;

        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });

        await stack.UntilAsync(
            async () => await OperationsReader.MetricAsync(survivorHttp, "controlplane_leader") == 1,
            "the survivor takes the advisory lock once the dead leader's session is gone");
        RouteView? failedOver = null;
        await stack.UntilAsync(
            async () => (failedOver = await OperationsReader.LatestRouteAsync(survivorHttp, Route.Id)) is { ActiveTier: 1 },
            "the survivor probes the overloaded primary, opens its breaker and moves the route to tier 1",
            TimeSpan.FromSeconds(90));

        Assert.True(failedOver!.Version > lastBefore);
        Assert.False(survivor.HasExited);
        Assert.True(leader.HasExited);

        // One unbroken chain across the handoff: the survivor's first version names the dead leader's last one.
        var versions = await OperationsReader.VersionsAsync(survivorHttp);
        for (var i = 1; i < versions.Count; i++)
        {
            Assert.Equal(versions[i - 1].Version, versions[i].PreviousVersion);
        }

        Assert.Contains(versions, v => v.PreviousVersion == lastBefore);
        Assert.True(await OperationsReader.MetricAsync(survivorHttp, "controlplane_routing_table_version") >= failedOver.Version);

        var transitions = await OperationsReader.TransitionsAsync(survivorHttp, Route.Primary);
        var open = Assert.Single(transitions, t => t.To == "open");
        Assert.Equal("closed", open.From);
        Assert.True(open.OccurredAt > killedAt.AddSeconds(-1), "the transition was evaluated after the leader died");
        Assert.Contains("overloaded", open.Reason, StringComparison.Ordinal);

        // The survivor persisted the breaker state too, so a third replica would resume from it.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var state = new NpgsqlCommand("SELECT state, updated_at FROM breaker_states WHERE target_id = $1", connection)
        {
            Parameters = { new() { Value = Route.Primary } },
        };
        await using var reader = await state.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("open", reader.GetString(0));
        Assert.True(reader.GetFieldValue<DateTimeOffset>(1) > killedAt.AddSeconds(-1));
        await reader.CloseAsync();

        Assert.Equal(1, await CountLockHoldersAsync());
    }

    /// <summary>Sessions holding the leader's advisory lock in this test's database.</summary>
    private async Task<long> CountLockHoldersAsync()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
            WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()
              AND l.classid::bigint = ($1 >> 32) AND l.objid::bigint = ($1 & 4294967295)
            """,
            connection) { Parameters = { new() { Value = LeaderLockKey } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
