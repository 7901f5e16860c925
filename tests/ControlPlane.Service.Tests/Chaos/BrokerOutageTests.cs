using System.Net;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Chaos;

/// <summary>
/// RabbitMQ is stopped (the whole node) for <see cref="Outage"/> while the control plane keeps probing and an operator
/// changes a route. 30 s rather than the minute keeps the suite short: the behaviour under test (fail static,
/// outbox retries, reconnects with capped backoff) is the same after the clients' and the relay's backoff has capped
/// (2 s and 1 s here), which 30 s covers many times over.
/// </summary>
[Collection(ChaosCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class BrokerOutageTests(ChaosServers servers)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly TestApiKey Operator = TestApiKey.Create("chaos", "read", "operate");
    private static readonly TestRoute Route = new("chaos-broker", "anthropic-broker", "openai-broker", "m1");

    [Fact]
    public async Task BrokerDown_SamplesKeepBeingStored_SubscribersFailStatic_ThenAllConvergeOnTheLatestVersion()
    {
        var database = await servers.CreateDatabaseAsync();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(1), servers.StackEnvironment(), keys: [Operator]);
        var replica = await stack.StartReplicaAsync();
        using var operate = ControlPlaneStack.Client(replica, Operator);
        await stack.UntilAsync(async () => await database.LatestVersionAsync() is not null && await database.PendingAsync() == 0,
            "the first table is committed and published");

        // Two kinds of subscriber: one reaching the control plane over HTTP (so it can still fetch snapshots while the
        // broker is down, as the protocol says), and one that only ever had its cache file and the broker: pure fail static.
        var rabbit = servers.Servers.RabbitMq.Uri;
        var before = (await database.LatestVersionAsync())!.Value;
        await using var online = await RecordingClient.StartAsync(replica.BaseUrl, rabbit, stack.Keys.PublicKeyPem, "chaos-broker-online");
        var cache = Path.Combine(Path.GetTempPath(), $"cp-chaos-cache-{Guid.NewGuid():N}.json");
        using (var http = ControlPlaneStack.Client(replica))
        {
            await File.WriteAllBytesAsync(cache, await http.GetByteArrayAsync(new Uri("api/routing-table", UriKind.Relative)));
        }

        var nowhere = new Uri($"http://127.0.0.1:{ServiceProcess.FreePort()}/");
        await using var cached = await RecordingClient.StartAsync(nowhere, rabbit, stack.Keys.PublicKeyPem, "chaos-broker-cached", cache);
        await stack.UntilAsync(() => Task.FromResult(online.Source.CurrentVersion == before && cached.Source.CurrentVersion == before
            && online.Source.IsConnected && cached.Source.IsConnected), "both subscribers hold the current table and are subscribed");

        await servers.Servers.RabbitMq.StopAsync();
        var down = DateTimeOffset.UtcNow;
        await stack.UntilAsync(() => Task.FromResult(!online.Source.IsConnected && !cached.Source.IsConnected), "both subscribers notice the broker is gone");

        // A change during the outage: committed to Postgres, waiting in the outbox.
        var drain = await Chaos.DrainAsync(operate, Route.Primary, "broker outage test");
        await stack.UntilAsync(async () => await database.LatestVersionAsync() > before, "the drain commits a version while the broker is down");
        var duringOutage = (await database.LatestVersionAsync())!.Value;

        var staleness = new List<TimeSpan>();
        while (DateTimeOffset.UtcNow - down < Outage)
        {
            using var http = ControlPlaneStack.Client(replica);
            using var ready = await http.GetAsync(new Uri("readyz", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // a broker outage does not make the control plane unready

            Assert.Equal(before, cached.Source.CurrentVersion);
            Assert.NotNull(online.Source.Current);
            Assert.False(cached.Source.IsConnected);
            staleness.Add(cached.Source.Staleness!.Value);
            await Task.Delay(1000);
        }

        // The cached-only subscriber has had no contact at all: its staleness only grows.
        Chaos.AssertNeverRegresses(staleness.Select(s => s.Ticks).ToList(), "the cached subscriber's staleness");
        Assert.True(staleness[^1] >= Outage - TimeSpan.FromSeconds(3), $"staleness {staleness[^1]} covers the outage");
        Assert.True(await database.PendingAsync() >= 1, "the outage version waits in the outbox");
        var samples = await database.SamplesObservedBetweenAsync(down, DateTimeOffset.UtcNow);
        Assert.True(samples > 0, "probe samples were stored while the broker was down");

        // The subscriber that can reach the control plane picks the outage version up from the snapshot.
        await stack.UntilAsync(() => Task.FromResult(online.Source.CurrentVersion == duringOutage), "the online subscriber gets the outage version from the snapshot");

        await servers.Servers.RabbitMq.StartAsync();
        await stack.UntilAsync(async () => await database.PendingAsync() == 0, "the outbox relay publishes the outage version once the broker is back", TimeSpan.FromSeconds(90));
        await stack.UntilAsync(() => Task.FromResult(online.Source.IsConnected && cached.Source.IsConnected), "both subscribers resubscribe", TimeSpan.FromSeconds(60));

        // The cached subscriber has no control plane to fetch from, so it learns of a version from the next publication.
        await Chaos.EndOverrideAsync(operate, drain);
        await stack.UntilAsync(async () => await database.LatestVersionAsync() > duringOutage, "ending the drain commits another version");
        var latest = (await database.LatestVersionAsync())!.Value;
        await stack.UntilAsync(() => Task.FromResult(online.Source.CurrentVersion == latest && cached.Source.CurrentVersion == latest),
            $"both subscribers converge on version {latest}", TimeSpan.FromSeconds(60));

        Assert.Contains(duringOutage, online.Applied);
        Chaos.AssertNeverRegresses(online.Applied, "online subscriber");
        Chaos.AssertNeverRegresses(cached.Applied, "cached subscriber");
        Assert.Empty((await database.TableVersionsAsync()).Except(await database.PublishedVersionsAsync()));
        File.Delete(cache);
    }
}
