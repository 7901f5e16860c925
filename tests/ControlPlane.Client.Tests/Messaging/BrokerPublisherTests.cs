using System.Collections.Concurrent;
using ControlPlane.Client.Messaging;
using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;
using ControlPlane.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlPlane.Client.Tests.Messaging;

/// <summary>
/// The SDK's connections (one consuming, one publishing) and its per-publisher channels against the real broker: what a report carries on the wire
/// (docs/protocol.md), that nothing is published without a connection, and that a publisher follows a new connection.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class BrokerPublisherTests : IAsyncLifetime
{
    private const string Exchange = "controlplane.test-publisher";
    private readonly ConcurrentQueue<BasicDeliverEventArgs> _received = new();
    private IConnection _listener = null!;
    private Uri _uri = null!;

    public async Task InitializeAsync()
    {
        _uri = new Uri(await TestServices.RabbitMqAsync());
        _listener = await new ConnectionFactory { Uri = _uri }.CreateConnectionAsync();
        var channel = await _listener.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue.QueueName, Exchange, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, d) =>
        {
            // The body buffer is reused after the handler returns.
            _received.Enqueue(new BasicDeliverEventArgs(d.ConsumerTag, d.DeliveryTag, d.Redelivered, d.Exchange, d.RoutingKey, d.BasicProperties, d.Body.ToArray()));
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
    }

    public async Task DisposeAsync()
    {
        await _listener.CloseAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task TryPublish_CarriesTheDocumentedReportProperties_AndTheBodyVerbatim()
    {
        await using var broker = new BrokerConnection(_uri, "publisher-test");
        await using var publisher = new BrokerPublisher(broker, Exchange);
        await broker.ConnectAsync(CancellationToken.None);
        var body = "{\"reporterId\":\"gw-1\"}"u8.ToArray();
        var at = new DateTimeOffset(2026, 11, 29, 3, 30, 15, 900, TimeSpan.Zero);

        Assert.True(await publisher.TryPublishAsync(MessageTypes.TrafficReport, body, at, CancellationToken.None));

        var message = await NextMessageAsync();
        var properties = message.BasicProperties;
        Assert.Equal(body, message.Body.ToArray());
        Assert.Equal(MessageTypes.ContentType, properties.ContentType);
        Assert.Equal(MessageTypes.TrafficReport, properties.Type);
        Assert.Matches("^[0-9a-f]{32}$", properties.MessageId);
        Assert.Equal(at.ToUnixTimeSeconds(), properties.Timestamp.UnixTime);
        Assert.Equal(DeliveryModes.Transient, properties.DeliveryMode);
        Assert.True(properties.Headers is null || properties.Headers.Count == 0);
        Assert.Null(properties.CorrelationId);
        Assert.Null(properties.AppId);
        Assert.Equal("", message.RoutingKey);
    }

    [Fact]
    public async Task TryPublish_WithoutAnOpenConnection_DropsTheMessage()
    {
        await using var broker = new BrokerConnection(_uri, "publisher-test");
        await using var publisher = new BrokerPublisher(broker, Exchange);

        Assert.False(await publisher.TryPublishAsync(MessageTypes.TrafficReport, "{}"u8.ToArray(), DateTimeOffset.UnixEpoch, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.OpenAsync(CancellationToken.None));

        await broker.ConnectAsync(CancellationToken.None);
        await broker.CloseAsync();
        Assert.Null(broker.Current);
        Assert.True(broker.Closed.IsCompleted);
        Assert.False(await publisher.TryPublishAsync(MessageTypes.TrafficReport, "{}"u8.ToArray(), DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.Empty(_received);
    }

    [Fact]
    public async Task TryPublish_AfterTheConnectionIsReplaced_PublishesOnTheNewOne()
    {
        await using var broker = new BrokerConnection(_uri, "publisher-test");
        await using var publisher = new BrokerPublisher(broker, Exchange);
        var first = await broker.ConnectAsync(CancellationToken.None);
        await publisher.OpenAsync(CancellationToken.None);
        Assert.True(await publisher.TryPublishAsync(MessageTypes.TrafficReport, "{\"n\":1}"u8.ToArray(), DateTimeOffset.UnixEpoch, CancellationToken.None));

        var second = await broker.ConnectAsync(CancellationToken.None);

        Assert.False(first.IsOpen);
        Assert.Same(second, broker.Current);
        Assert.True(await publisher.TryPublishAsync(MessageTypes.TrafficReport, "{\"n\":2}"u8.ToArray(), DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.Equal("{\"n\":1}"u8.ToArray(), (await NextMessageAsync()).Body.ToArray());
        Assert.Equal("{\"n\":2}"u8.ToArray(), (await NextMessageAsync()).Body.ToArray());
    }

    [Fact]
    public async Task Connect_PublishesOnAConnectionOfItsOwn_AndLosingItEndsTheSession()
    {
        // A broker alarm blocks connections that publish; the routing-table consumer must not be on one of them.
        await using var broker = new BrokerConnection(_uri, "publisher-test");
        await using var publisher = new BrokerPublisher(broker, Exchange);
        var consuming = await broker.ConnectAsync(CancellationToken.None);
        var publishing = broker.CurrentForPublishing;

        Assert.NotNull(publishing);
        Assert.NotSame(consuming, publishing);
        Assert.Equal("publisher-test (publish)", publishing.ClientProvidedName);
        Assert.True(await publisher.TryPublishAsync(MessageTypes.TrafficReport, "{}"u8.ToArray(), DateTimeOffset.UnixEpoch, CancellationToken.None));
        Assert.False(broker.Closed.IsCompleted);

        await publishing.CloseAsync();

        await broker.Closed.WaitAsync(TimeSpan.FromSeconds(30)); // the owner's loop reconnects both
    }

    private async Task<BasicDeliverEventArgs> NextMessageAsync()
    {
        BasicDeliverEventArgs? message = null;
        await Eventually.UntilAsync(() => Task.FromResult(_received.TryDequeue(out message)), TimeSpan.FromSeconds(30), "a message reaches the test queue");
        return message!;
    }
}
