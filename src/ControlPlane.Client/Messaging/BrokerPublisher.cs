using ControlPlane.Contracts;
using RabbitMQ.Client;

namespace ControlPlane.Client.Messaging;

/// <summary>
/// Publishes one kind of message to one durable fanout exchange over a <see cref="BrokerConnection"/>, on a channel of
/// its own (opened on the current publishing connection when needed, the exchange declared on it). Messages carry the properties
/// docs/protocol.md specifies: JSON content type, the message type, a fresh message id, a timestamp in seconds,
/// transient delivery. While the broker is away messages are dropped, not queued: every message the SDK and the gateway
/// send is a report whose next one carries fresher news.
/// </summary>
public sealed class BrokerPublisher : IAsyncDisposable, IDisposable
{
    private readonly BrokerConnection _broker;
    private readonly string _exchange;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IChannel? _channel;
    private IConnection? _channelConnection;

    /// <summary>A publisher to the fanout <paramref name="exchange"/> over <paramref name="broker"/>.</summary>
    public BrokerPublisher(BrokerConnection broker, string exchange)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentException.ThrowIfNullOrEmpty(exchange);
        _broker = broker;
        _exchange = exchange;
    }

    /// <summary>
    /// Opens the channel on the current connection and declares the exchange now, so a connection whose exchange cannot
    /// be declared fails as a whole rather than at the first message.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no open connection.</exception>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (await ChannelAsync(cancellationToken) is null)
            {
                throw new InvalidOperationException("The broker connection is not open.");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Publishes <paramref name="body"/> (UTF-8 JSON) as a message of <paramref name="type"/>.</summary>
    /// <param name="type">The AMQP <c>type</c> property: one of <see cref="MessageTypes"/>.</param>
    /// <param name="body">The message, as <c>ContractsJson.Serialize</c> writes it.</param>
    /// <param name="timestamp">The AMQP <c>timestamp</c> property (whole seconds).</param>
    /// <param name="cancellationToken">Stops waiting for the channel or the broker.</param>
    /// <returns>False when there is no open connection and the message was dropped.</returns>
    /// <exception cref="Exception">The broker failed the channel or the publish; the next call opens a new channel.</exception>
    public async Task<bool> TryPublishAsync(string type, ReadOnlyMemory<byte> body, DateTimeOffset timestamp, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (await ChannelAsync(cancellationToken) is not { } channel)
            {
                return false;
            }

            var properties = new BasicProperties
            {
                ContentType = MessageTypes.ContentType,
                Type = type,
                MessageId = Guid.NewGuid().ToString("N"),
                Timestamp = new AmqpTimestamp(timestamp.ToUnixTimeSeconds()),
                DeliveryMode = DeliveryModes.Transient,
            };
            try
            {
                await channel.BasicPublishAsync(_exchange, "", mandatory: false, properties, body, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await DropChannelAsync();
                throw;
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The channel on the current connection, opened (and the exchange declared) when needed; null without one.</summary>
    private async Task<IChannel?> ChannelAsync(CancellationToken cancellationToken)
    {
        var connection = _broker.CurrentForPublishing;
        if (connection is not null && ReferenceEquals(connection, _channelConnection) && _channel is { IsOpen: true } open)
        {
            return open;
        }

        await DropChannelAsync();
        if (connection is null)
        {
            return null;
        }

        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.ExchangeDeclareAsync(_exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        }
        catch
        {
            await DisposeQuietlyAsync(channel);
            throw;
        }

        _channel = channel;
        _channelConnection = connection;
        return channel;
    }

    private async Task DropChannelAsync()
    {
        var channel = _channel;
        _channel = null;
        _channelConnection = null;
        if (channel is not null)
        {
            await DisposeQuietlyAsync(channel);
        }
    }

    private static async Task DisposeQuietlyAsync(IChannel channel)
    {
        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Its connection is gone already.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DropChannelAsync();
        _gate.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        var channel = _channel;
        _channel = null;
        _channelConnection = null;
        try
        {
            channel?.Dispose();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Its connection is gone already.
        }

        _gate.Dispose();
    }
}
