using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Chaos;

/// <summary>
/// Two replicas: exactly one leads (evaluates, publishes through the outbox relay, sends alerts). When it dies, the
/// survivor publishes the next versions and subscribers receive them.
/// </summary>
[Collection(ChaosCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class PublisherTakeoverTests(ChaosServers servers)
{
    private static readonly TestApiKey Operator = TestApiKey.Create("chaos", "read", "operate");
    private static readonly TestRoute Route = new("chaos-takeover", "anthropic-takeover", "openai-takeover", "m1");

    [Fact]
    public async Task OneLeaderPublishes_AndWhenItDies_TheSurvivorPublishesTheNextVersions()
    {
        var database = await servers.CreateDatabaseAsync();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(2), servers.StackEnvironment(), keys: [Operator]);
        var first = await stack.StartReplicaAsync();
        var second = await stack.StartReplicaAsync();
        await stack.UntilAsync(async () => await database.LatestVersionAsync() is not null && await database.PendingAsync() == 0,
            "the first table is committed and published");

        ServiceProcess? leader = null;
        await stack.UntilAsync(async () => (leader = await Chaos.LeaderAsync(stack)) is not null, "exactly one replica reports controlplane_leader 1");
        var survivor = leader == first ? second : first;
        using (var survivorHttp = ControlPlaneStack.Client(survivor))
        {
            Assert.Equal(0, await OperationsReader.MetricAsync(survivorHttp, "controlplane_leader"));
        }

        var rabbit = servers.Servers.RabbitMq.Uri;
        await using var sdk = await RecordingClient.StartAsync(survivor.BaseUrl, rabbit, stack.Keys.PublicKeyPem, "chaos-takeover-sdk");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        await using var connection = await Chaos.ConnectAsync(rabbit);
        await using var raw = await ProtocolSubscriber.StartAsync(connection, Chaos.Verifier(stack), Chaos.Snapshot(stack, http));
        var initial = (await database.LatestVersionAsync())!.Value;
        await stack.UntilAsync(() => Task.FromResult(sdk.Source.CurrentVersion == initial && raw.Current == initial), "both subscribers hold the current table");

        leader!.Kill();
        using var operate = ControlPlaneStack.Client(survivor, Operator);
        await stack.UntilAsync(async () => await Chaos.LeaderAsync(stack) == survivor, "the survivor takes over leadership");

        // Two more versions, both committed and published by the survivor alone.
        var drain = await Chaos.DrainAsync(operate, Route.Primary, "takeover test");
        await stack.UntilAsync(async () => await database.LatestVersionAsync() > initial, "the drain commits a version");
        var drained = (await database.LatestVersionAsync())!.Value;
        await Chaos.EndOverrideAsync(operate, drain);
        await stack.UntilAsync(async () => await database.LatestVersionAsync() > drained, "ending the drain commits another version");
        var restored = (await database.LatestVersionAsync())!.Value;

        await stack.UntilAsync(() => Task.FromResult(sdk.Source.CurrentVersion == restored && raw.Current == restored),
            $"both subscribers apply version {restored}, published by the survivor");
        Assert.Contains(drained, raw.Received);
        Assert.Contains(restored, raw.Received);
        Assert.Contains(drained, sdk.Applied);
        Assert.Equal(0, await database.PendingAsync());
        Assert.Same(survivor, await Chaos.LeaderAsync(stack));
    }
}
