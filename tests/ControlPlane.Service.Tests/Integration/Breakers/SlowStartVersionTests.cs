using ControlPlane.Simulator;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>
/// A recovering target's weight ramp travels in the table as data: the whole slow start costs the fleet one version
/// (the one that closes the breaker), not one per ramp step, and not a second one when the ramp ends.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class SlowStartVersionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TestRoute Route = new("chat-slow", "anthropic-slow", "openai-slow", "m1");

    [Fact]
    public async Task SlowStart_ProducesOneVersion_FromTheClosingTransitionToPastTheRampsEnd()
    {
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString,
            [Route],
            probeInterval: TimeSpan.FromSeconds(1),
            environment: new Dictionary<string, string?>
            {
                ["Breakers__BaseBreakDuration"] = "00:00:02",
                ["Breakers__SlowStartDuration"] = "00:00:03",
            });
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica);
        await stack.UntilAsync(
            async () => await OperationsReader.LatestRouteAsync(http, Route.Id) is { ActiveTier: 0 },
            "the first table routes to the healthy tier 0");

        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });
        await stack.UntilAsync(
            async () => await OperationsReader.LatestRouteAsync(http, Route.Id) is { ActiveTier: 1 },
            "the overloaded primary opens and the route moves to tier 1");

        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
        RouteView? closed = null;
        await stack.UntilAsync(
            async () => (closed = await OperationsReader.LatestRouteAsync(http, Route.Id)) is { ActiveTier: 0 } r
                && r.Target(Route.Primary).State == "closed",
            "the primary passes its trial and the breaker closes");

        // The closing version carries the full weight and the ramp, the primary alone in tier 0 takes the traffic.
        var primary = closed!.Target(Route.Primary);
        Assert.Equal(100, primary.Weight);
        Assert.True(primary.Eligible);
        Assert.NotNull(primary.SlowStart);
        Assert.Equal((3000L, 100, 10), (primary.SlowStart.DurationMs, primary.SlowStart.FloorMilli, primary.SlowStart.Steps));

        // Past the ramp's end: the breaker clears its ramp; then one more evaluation, whose commit follows the clearing one.
        DateTimeOffset? clearedAt = null;
        await stack.UntilAsync(async () =>
        {
            var breaker = await OperationsReader.BreakerAsync(http, Route.Primary);
            return breaker.GetProperty("state").GetString() == "closed"
                && breaker.GetProperty("slowStartStartedAt").ValueKind == System.Text.Json.JsonValueKind.Null
                && (clearedAt = breaker.GetProperty("evaluatedAt").GetDateTimeOffset()) >= primary.SlowStart.StartedAt.AddSeconds(3);
        }, "the ramp has ended and the breaker cleared it");
        await stack.UntilAsync(
            async () => (await OperationsReader.BreakerAsync(http, Route.Primary)).GetProperty("evaluatedAt").GetDateTimeOffset() > clearedAt,
            "one more evaluation after the ramp was cleared");

        Assert.Equal([closed.Version], await VersionsSinceAsync(closed.Version));
        var latest = (await OperationsReader.LatestRouteAsync(http, Route.Id))!;
        Assert.Equal(closed.Version, latest.Version);
        Assert.Equal(100, latest.Target(Route.Primary).Weight);
    }

    private async Task<List<long>> VersionsSinceAsync(long version)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT version FROM routing_tables WHERE version >= $1 ORDER BY version");
        command.Parameters.Add(new() { Value = version });
        var versions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }
}
