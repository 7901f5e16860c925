using System.Globalization;
using System.Text;
using ControlPlane.Contracts;
using RabbitMQ.Client;

namespace ControlPlane.Service.Publishing;

/// <summary>
/// Puts signed routing tables on the <c>controlplane.routing-table</c> exchange with exactly the AMQP properties
/// docs/protocol.md states and nothing else: <c>content_type=application/json</c>, <c>type=RoutingTableChanged</c>,
/// <c>message_id=&lt;version&gt;</c>, <c>timestamp</c> = commit time, no headers. It uses the RabbitMQ client directly
/// rather than MassTransit, whose envelope headers (<c>MT-Host-Info</c> with our machine name and process id, a GUID
/// message id) are not part of the protocol. A call returns once the broker has taken the message: each publish is an
/// AMQP transaction (tx.select / tx.commit) rather than a publisher confirm, because the .NET client's confirm
/// tracking stamps an <c>x-dotnet-pub-seq-no</c> header on every message; at a few versions per second the extra
/// round trip costs nothing.
/// One connection and one channel, opened on first use and reopened after a failure; the relay calls it serially.
/// </summary>
internal sealed class RoutingTablePublisher(IConfiguration configuration) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnection? _connection;
    private IChannel? _channel;

    /// <summary>The AMQP properties of a routing-table message (also what the wire-format test checks).</summary>
    public static BasicProperties PropertiesFor(long version, DateTimeOffset committedAt) => new()
    {
        ContentType = MessageTypes.ContentType,
        Type = MessageTypes.RoutingTableChanged,
        MessageId = version.ToString(CultureInfo.InvariantCulture),
        Timestamp = new AmqpTimestamp(committedAt.ToUnixTimeSeconds()),
        DeliveryMode = DeliveryModes.Persistent,
    };

    public async Task PublishAsync(long version, string signedJson, DateTimeOffset committedAt, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(signedJson);
        if (body.Length > ProtocolLimits.MaxMessageBytes)
        {
            // The broker would refuse it too (max_message_size); say why instead of a channel error.
            throw new InvalidOperationException(
                $"Routing table version {version} is {body.Length} bytes, over the protocol limit of {ProtocolLimits.MaxMessageBytes}.");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var channel = await ChannelAsync(cancellationToken);
            try
            {
                await channel.BasicPublishAsync(Exchanges.RoutingTable, "", mandatory: false, PropertiesFor(version, committedAt), body, cancellationToken);
                await channel.TxCommitAsync(cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                await ResetAsync(); // A refused or unconfirmed publish may leave the channel closed: start afresh next time.
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ResetAsync();
        _gate.Dispose();
    }

    private async Task<IChannel> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        await ResetAsync();
        var uri = configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set.");
        var factory = new ConnectionFactory
        {
            Uri = new Uri(uri),
            AutomaticRecoveryEnabled = false, // The relay retries with backoff and calls again.
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            ClientProvidedName = "controlplane routing-table publisher",
        };
        _connection = await factory.CreateConnectionAsync(cancellationToken);
        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await _channel.TxSelectAsync(cancellationToken);
        await _channel.ExchangeDeclareAsync(Exchanges.RoutingTable, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        return _channel;
    }

    private async Task ResetAsync()
    {
        var channel = _channel;
        var connection = _connection;
        _channel = null;
        _connection = null;
        try
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }

            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Already broken; a new connection follows.
        }
    }
}
