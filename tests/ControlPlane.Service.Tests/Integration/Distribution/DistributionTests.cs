using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlPlane.Service.Tests.Integration.Distribution;

/// <summary>
/// The distribution protocol end to end against the real control plane: outbox → MassTransit → RabbitMQ fanout →
/// SDK subscribers → status reports → fleet view. Route changes come from operator overrides, so they are exact.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class DistributionTests : IAsyncLifetime
{
    private static readonly TestApiKey Operator = TestApiKey.Create("oncall", "read", "operate");
    private static readonly TestRoute Route = new("dist-route", "anthropic-dist", "openai-dist", "m1");

    private readonly PostgresDatabase _database = new();

    public Task InitializeAsync() => _database.InitializeAsync();

    public Task DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task SdkClients_ConvergeOnEveryNewVersion_AndTheFleetViewShowsThem()
    {
        await using var stack = await ControlPlaneStack.CreateAsync(_database.ConnectionString, [Route], TimeSpan.FromSeconds(5), keys: [Operator]);
        var replica = await stack.StartReplicaAsync();
        using var operate = ControlPlaneStack.Client(replica, Operator);
        await stack.UntilAsync(async () => await LatestVersionAsync() is not null, "the first table is committed");

        var clients = new List<IHost>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await StartClientAsync(replica.BaseUrl, stack.Keys.PublicKeyPem, $"dist-client-{i}"));
            }

            var first = (await LatestVersionAsync())!.Value;
            await stack.UntilAsync(() => Task.FromResult(clients.All(c => Source(c).CurrentVersion >= first)), "every client bootstraps the current table");

            using (var drain = await operate.PostAsJsonAsync(new Uri("api/overrides", UriKind.Relative),
                new { kind = "drain-target", target = Route.Primary, reason = "distribution test", ttl = "00:10:00" }))
            {
                Assert.Equal(System.Net.HttpStatusCode.Created, drain.StatusCode);
            }

            await stack.UntilAsync(async () => await LatestVersionAsync() > first, "the drain commits a new version");
            var drained = (await LatestVersionAsync())!.Value;
            await stack.UntilAsync(() => Task.FromResult(clients.All(c => Source(c).CurrentVersion == drained)), "every client applies the drained table");
            foreach (var client in clients)
            {
                var selection = client.Services.GetRequiredService<IRouteSelector>().Select(Route.Id);
                Assert.Equal(Route.Secondary, selection.Target);
                Assert.Equal(drained, selection.Version);
            }

            await stack.UntilAsync(async () =>
            {
                using var fleet = JsonDocument.Parse(await operate.GetStringAsync(new Uri("api/subscribers", UriKind.Relative)));
                var ours = fleet.RootElement.GetProperty("subscribers").EnumerateArray()
                    .Where(s => s.GetProperty("subscriberId").GetString()!.StartsWith("dist-client-", StringComparison.Ordinal))
                    .ToList();
                return ours.Count == 3 && ours.All(s => s.GetProperty("live").GetBoolean() && s.GetProperty("appliedVersion").GetInt64() == drained)
                    && fleet.RootElement.GetProperty("currentVersion").GetInt64() == drained;
            }, "the control plane's fleet view shows all three clients on the current version");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.StopAsync();
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task VersionsCommittedWhileTheBrokerIsUnreachable_AreDeliveredInOrderAfterAKillAndRestart()
    {
        await using var stack = await ControlPlaneStack.CreateAsync(_database.ConnectionString, [Route], TimeSpan.FromSeconds(5), keys: [Operator]);
        var unreachable = new Dictionary<string, string?> { ["ConnectionStrings__RabbitMq"] = $"amqp://guest:guest@127.0.0.1:{ServiceProcess.FreePort()}/" };
        var first = await stack.StartReplicaAsync(unreachable);
        using (var operate = ControlPlaneStack.Client(first, Operator))
        {
            await stack.UntilAsync(async () => await LatestVersionAsync() is not null, "the first table is committed");
            using var drain = await operate.PostAsJsonAsync(new Uri("api/overrides", UriKind.Relative),
                new { kind = "drain-target", target = Route.Primary, reason = "outbox test", ttl = "00:10:00" });
            await stack.UntilAsync(async () => await PendingAsync() >= 2, "two versions wait in the outbox while the broker is unreachable");
        }

        // Crash after commit, before publish.
        first.Kill();
        var committed = await CommittedVersionsAsync();
        Assert.True(committed.Count >= 2);

        var received = new ConcurrentQueue<byte[]>();
        await using var subscriber = await RawSubscriber.StartAsync(received);
        await stack.StartReplicaAsync();
        await stack.UntilAsync(() => Task.FromResult(received.Count >= committed.Count), "the restarted replica relays every committed version");

        var verifier = RoutingTableVerifier.FromPem(new Dictionary<string, string> { [ControlPlaneStack.SigningKeyId] = stack.Keys.PublicKeyPem });
        var versions = received.Select(body =>
        {
            var verification = verifier.Verify(body);
            Assert.True(verification.IsValid, verification.Detail);
            return verification.Message!.Version;
        }).ToList();
        Assert.Equal(committed, versions.Take(committed.Count));
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(0, await PendingAsync());
    }

    [Fact]
    public async Task SubscriberReportingAVersionNeverCommitted_RaisesTheUnknownTableAlert()
    {
        await using var stack = await ControlPlaneStack.CreateAsync(_database.ConnectionString, [Route], TimeSpan.FromSeconds(5), keys: [Operator]);
        var replica = await stack.StartReplicaAsync(new Dictionary<string, string?> { ["Alerts__SubscriberCheckInterval"] = "00:00:01" });
        using var operate = ControlPlaneStack.Client(replica, Operator);
        await stack.UntilAsync(async () => await LatestVersionAsync() is not null, "the first table is committed");

        // What a subscriber that accepted an out-of-band table (signed with our key, never committed by us) reports.
        var factory = new ConnectionFactory { Uri = new Uri(await TestServices.RabbitMqAsync()) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var forgedVersion = (await LatestVersionAsync())!.Value + 1_000_000;
        async Task ReportAsync()
        {
            var status = new SubscriberStatus
            {
                SubscriberId = "dist-shadowed", Kind = SubscriberKinds.Gateway, AppliedVersion = forgedVersion,
                AppliedAt = DateTimeOffset.UtcNow, ReportedAt = DateTimeOffset.UtcNow,
            };
            var properties = new BasicProperties { ContentType = MessageTypes.ContentType, Type = MessageTypes.SubscriberStatus };
            await channel.BasicPublishAsync(Exchanges.SubscriberStatus, "", false, properties, ContractsJson.Serialize(status));
        }

        await stack.UntilAsync(async () =>
        {
            await ReportAsync();
            var alerts = await operate.GetStringAsync(new Uri("api/alerts", UriKind.Relative));
            return alerts.Contains("fleet:unknown-table", StringComparison.Ordinal) && alerts.Contains("unknown table in the fleet", StringComparison.Ordinal);
        }, "the control plane raises the unknown-table alert");
    }

    private static async Task<IHost> StartClientAsync(Uri controlPlane, string publicKeyPem, string subscriberId)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddControlPlaneClient(o =>
        {
            o.SubscriberId = subscriberId;
            o.ControlPlaneUrl = controlPlane.ToString();
            o.RabbitMqUri = TestServices.RabbitMqAsync().GetAwaiter().GetResult();
            o.TrustedKeys[ControlPlaneStack.SigningKeyId] = publicKeyPem;
            o.CacheFile = Path.Combine(Path.GetTempPath(), $"cp-dist-{Guid.NewGuid():N}.json");
            o.StatusReportInterval = TimeSpan.FromSeconds(1);
            o.ReconnectDelay = TimeSpan.FromMilliseconds(200);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(1);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static IRoutingTableSource Source(IHost host) => host.Services.GetRequiredService<IRoutingTableSource>();

    private async Task<long?> LatestVersionAsync()
    {
        await using var dataSource = _database.CreateDataSource();
        await using var command = dataSource.CreateCommand("SELECT max(version) FROM routing_tables");
        return await command.ExecuteScalarAsync() is long version ? version : null;
    }

    private async Task<long> PendingAsync()
    {
        await using var dataSource = _database.CreateDataSource();
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM routing_outbox WHERE published_at IS NULL");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<long>> CommittedVersionsAsync()
    {
        await using var dataSource = _database.CreateDataSource();
        await using var command = dataSource.CreateCommand("SELECT version FROM routing_outbox ORDER BY version");
        var versions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }

    /// <summary>A subscriber written with plain RabbitMQ.Client, following docs/protocol.md: its own queue on the fanout.</summary>
    private sealed class RawSubscriber : IAsyncDisposable
    {
        private readonly IConnection _connection;
        private readonly IChannel _channel;

        private RawSubscriber(IConnection connection, IChannel channel)
        {
            _connection = connection;
            _channel = channel;
        }

        public static async Task<RawSubscriber> StartAsync(ConcurrentQueue<byte[]> received)
        {
            var factory = new ConnectionFactory { Uri = new Uri(await TestServices.RabbitMqAsync()) };
            var connection = await factory.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeclareAsync(Exchanges.RoutingTable, ExchangeType.Fanout, durable: true);
            var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
            await channel.QueueBindAsync(queue.QueueName, Exchanges.RoutingTable, "");
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                received.Enqueue(delivery.Body.ToArray());
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
            return new RawSubscriber(connection, channel);
        }

        public async ValueTask DisposeAsync()
        {
            await _channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
