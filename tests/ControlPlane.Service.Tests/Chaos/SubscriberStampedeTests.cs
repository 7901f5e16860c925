using ControlPlane.Testing;
using RabbitMQ.Client;
using Xunit;

namespace ControlPlane.Service.Tests.Chaos;

/// <summary>
/// 500 subscribers connect at once (each its own queue and a snapshot fetch, per docs/protocol.md; ten AMQP
/// connections with fifty channels each) and then one new version is published: every one of them applies it.
/// </summary>
[Collection(ChaosCollection.Name)]
[Trait("Category", "Chaos")]
public sealed class SubscriberStampedeTests(ChaosServers servers)
{
    private const int Subscribers = 500;
    private const int Connections = 10;
    private static readonly TestApiKey Operator = TestApiKey.Create("chaos", "read", "operate");
    private static readonly TestRoute Route = new("chaos-stampede", "anthropic-stampede", "openai-stampede", "m1");

    [Fact]
    public async Task FiveHundredSubscribersConnectingAtOnce_AllBootstrap_AndAllApplyTheNextVersion()
    {
        var database = await servers.CreateDatabaseAsync();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(5), servers.StackEnvironment(), keys: [Operator]);
        var replica = await stack.StartReplicaAsync();
        await stack.UntilAsync(async () => await database.LatestVersionAsync() is not null && await database.PendingAsync() == 0,
            "the first table is committed and published");
        var initial = (await database.LatestVersionAsync())!.Value;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var connections = new List<IConnection>();
        var subscribers = new List<ProtocolSubscriber>();
        try
        {
            for (var i = 0; i < Connections; i++)
            {
                connections.Add(await Chaos.ConnectAsync(servers.Servers.RabbitMq.Uri));
            }

            var verifier = Chaos.Verifier(stack);
            var snapshot = Chaos.Snapshot(stack, http);
            subscribers.AddRange(await Task.WhenAll(Enumerable.Range(0, Subscribers)
                .Select(i => Task.Run(() => ProtocolSubscriber.StartAsync(connections[i % Connections], verifier, snapshot)))));
            Assert.All(subscribers, s => Assert.Equal(initial, s.Current));

            using var operate = ControlPlaneStack.Client(replica, Operator);
            await Chaos.DrainAsync(operate, Route.Primary, "stampede test");
            await stack.UntilAsync(async () => await database.LatestVersionAsync() > initial, "the drain commits a version");
            var next = (await database.LatestVersionAsync())!.Value;
            await stack.UntilAsync(() => Task.FromResult(subscribers.All(s => s.Current == next)),
                $"all {Subscribers} subscribers apply version {next}", TimeSpan.FromSeconds(60));

            Assert.All(subscribers, s =>
            {
                Assert.Equal(0, s.Rejected);
                Assert.Contains(next, s.Received); // through the broker, not a late snapshot
            });
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }

            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
