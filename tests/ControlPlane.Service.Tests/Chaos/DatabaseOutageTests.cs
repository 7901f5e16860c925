using System.Net;
using System.Text.Json;
using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Chaos;

/// <summary>
/// Postgres is stopped for <see cref="Outage"/>. The control plane process stays up and alive, keeps probing (its
/// in-memory scheduler) and evaluating (the leader's grace period, committing nothing); subscribers keep the last table
/// (the broker is fine) and one starting mid-outage still bootstraps from the snapshot; once Postgres is back the
/// service writes what happened meanwhile: the buffered samples, the breaker change evaluated during the outage, the
/// new version.
/// </summary>
[Collection(ChaosCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class DatabaseOutageTests(ChaosServers servers)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly TestRoute Route = new("chaos-db", "anthropic-db", "openai-db", "m1");

    [Fact]
    public async Task PostgresDown_ProbingAndEvaluationContinueFromMemory_AndTheOutageIsWrittenAfterwards()
    {
        var database = await servers.CreateDatabaseAsync();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(1), servers.StackEnvironment());
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica);
        await stack.UntilAsync(async () => await database.LatestVersionAsync() is not null && await database.PendingAsync() == 0,
            "the first table is committed and published");
        await stack.UntilAsync(async () => await Chaos.LeaderAsync(stack) == replica, "the replica leads");
        var before = (await database.LatestVersionAsync())!.Value;
        await using var sdk = await RecordingClient.StartAsync(replica.BaseUrl, servers.Servers.RabbitMq.Uri, stack.Keys.PublicKeyPem, "chaos-db-sdk");
        await stack.UntilAsync(() => Task.FromResult(sdk.Source.CurrentVersion == before), "the subscriber holds the current table");

        await servers.Servers.Postgres.StopAsync();
        var down = DateTimeOffset.UtcNow;

        // The primary starts failing during the outage.
        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });

        var primaryOpenInView = false;
        while (DateTimeOffset.UtcNow - down < Outage)
        {
            using var health = await http.GetAsync(new Uri("healthz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.False(replica.HasExited);
            Assert.Equal(before, sdk.Source.CurrentVersion);
            Assert.NotNull(sdk.Source.Current);
            primaryOpenInView |= await PrimaryStateAsync(http) == "open";
            await Task.Delay(500);
        }

        using (var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode); // readiness is "Postgres reachable"
        }

        // A subscriber (re)starting in the middle of the outage still bootstraps: the replica serves the last snapshot it read.
        await using (var late = await RecordingClient.StartAsync(replica.BaseUrl, servers.Servers.RabbitMq.Uri, stack.Keys.PublicKeyPem, "chaos-db-late"))
        {
            await stack.UntilAsync(() => Task.FromResult(late.Source.CurrentVersion == before), "a subscriber started during the outage bootstraps the last table");
        }

        await servers.Servers.Postgres.StartAsync();
        var up = DateTimeOffset.UtcNow;

        // Writing resumes: new samples are stored, and the primary's failure (still going on) opens its breaker in a
        // committed, published table version the subscriber applies.
        await stack.UntilAsync(async () => await database.SamplesObservedBetweenAsync(up, DateTimeOffset.UtcNow.AddMinutes(1)) > 0,
            "samples are stored again once Postgres is back", TimeSpan.FromSeconds(60));
        RouteView? failedOver = null;
        await stack.UntilAsync(async () => (failedOver = await OperationsReader.LatestRouteAsync(http, Route.Id)) is { ActiveTier: 1 },
            "the primary's breaker opening is committed once Postgres is back", TimeSpan.FromSeconds(90));
        await stack.UntilAsync(async () => await database.PendingAsync() == 0, "the failed-over table is published");
        await stack.UntilAsync(() => Task.FromResult(sdk.Source.CurrentVersion >= failedOver!.Version), "the subscriber applies the failed-over table");
        Chaos.AssertNeverRegresses(sdk.Applied, "SDK subscriber");
        Assert.Empty((await database.TableVersionsAsync()).Except(await database.PublishedVersionsAsync()));

        // Probing went on: the samples probed during the outage were kept in the ingest retry buffer
        // (Storage:IngestRetryBufferLimit, 100,000 by default — far more than 30 s of one-second probes) and are stored now.
        Assert.True(await database.SamplesObservedBetweenAsync(down, up) > 0, "samples observed during the outage are stored");

        // Evaluation went on from memory (the leader's grace period), and what it decided is what was committed.
        Assert.True(primaryOpenInView, "the leader's /api/breakers view showed the primary open during the outage (evaluated from memory)");
        var open = (await OperationsReader.TransitionsAsync(http, Route.Primary)).First(t => t.To == "open");
        Assert.True(open.OccurredAt < up, $"the transition was evaluated during the outage ({open.OccurredAt:O}, Postgres back at {up:O})");
    }

    private static async Task<string?> PrimaryStateAsync(HttpClient http)
    {
        try
        {
            using var breakers = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/breakers", UriKind.Relative)));
            return breakers.RootElement.EnumerateArray()
                .Where(b => b.GetProperty("target").GetString() == Route.Primary)
                .Select(b => b.GetProperty("state").GetString())
                .FirstOrDefault();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
