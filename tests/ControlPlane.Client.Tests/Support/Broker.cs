using System.Collections.Concurrent;
using ControlPlane.Contracts;
using ControlPlane.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlPlane.Client.Tests.Support;

/// <summary>
/// The test's side of the real broker: publishes routing tables the way the control plane does (raw JSON to the
/// fanout exchange, type and message_id set) and records every status report on the status exchange.
/// </summary>
internal sealed class Broker : IAsyncDisposable
{
    private static long _nextVersion = 1_000;

    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly ConcurrentQueue<SubscriberStatus> _statuses = new();

    private Broker(Uri uri, IConnection connection, IChannel channel)
    {
        Uri = uri;
        _connection = connection;
        _channel = channel;
    }

    public Uri Uri { get; }

    public IReadOnlyCollection<SubscriberStatus> Statuses => _statuses.ToArray();

    /// <summary>
    /// Versions handed out across every broker test, strictly increasing, so tables published by one test can never
    /// look newer than another's even though the fanout exchange is shared.
    /// </summary>
    public static long NextVersions(int count) => Interlocked.Add(ref _nextVersion, count + 10) - count - 10;

    public static async Task<Broker> ConnectAsync()
    {
        var uri = new Uri(await TestServices.RabbitMqAsync());
        var connection = await new ConnectionFactory { Uri = uri }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchanges.RoutingTable, ExchangeType.Fanout, durable: true, autoDelete: false);
        await channel.ExchangeDeclareAsync(Exchanges.SubscriberStatus, ExchangeType.Fanout, durable: true, autoDelete: false);
        var broker = new Broker(uri, connection, channel);

        var statusQueue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(statusQueue.QueueName, Exchanges.SubscriberStatus, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            broker._statuses.Enqueue(ContractsJson.DeserializeSubscriberStatus(delivery.Body.Span));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(statusQueue.QueueName, autoAck: true, consumer);
        return broker;
    }

    public async Task PublishAsync(byte[] body, string messageId)
    {
        var properties = new BasicProperties
        {
            ContentType = MessageTypes.ContentType,
            Type = MessageTypes.RoutingTableChanged,
            MessageId = messageId,
            DeliveryMode = DeliveryModes.Persistent,
        };
        await _channel.BasicPublishAsync(Exchanges.RoutingTable, "", mandatory: false, properties, body);
    }

    public Task PublishAsync(RoutingTableChanged message) =>
        PublishAsync(ContractsJson.Serialize(message), message.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task<SubscriberStatus> WaitForStatusAsync(Func<SubscriberStatus, bool> predicate, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var match = _statuses.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"No matching status report; received: {string.Join(" | ", _statuses.Select(s => System.Text.Encoding.UTF8.GetString(ContractsJson.Serialize(s))))}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _connection.Dispose();
    }
}

/// <summary>Every test that touches the shared routing-table exchange runs in this collection, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerCollection
{
    public const string Name = "broker";
}
