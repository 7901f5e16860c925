using ControlPlane.Client.Messaging;
using ControlPlane.Contracts;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlPlane.Client.Subscription;

/// <summary>
/// The broker side of the subscription: connect, bind a private queue to the routing-table fanout exchange, consume,
/// and after every loss connect again with backoff. Each connect is followed by a snapshot (the queue is bound, so the
/// snapshot closes the gap of whatever was published while away); between attempts the snapshot endpoint is asked too.
/// </summary>
internal sealed class BrokerSubscription(
    BrokerConnection broker,
    RoutingTableStore store,
    SnapshotFetcher snapshots,
    StatusReporter reporter,
    ControlPlaneClientOptions options,
    TimeProvider time,
    ILogger logger)
{
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        // Waits so far in the current outage (reset by a connect): each one doubles the next, up to the cap.
        var waits = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var connected = false;
            var delay = NextDelay(waits + 1);
            try
            {
                var connection = await broker.ConnectAsync(stoppingToken);
                var queue = await SubscribeAsync(connection, stoppingToken);
                await reporter.OpenAsync(stoppingToken);
                store.SetConnected(true);
                connected = true;
                waits = 0;
                delay = NextDelay(1);
                Log.Subscribed(logger, queue);

                // The queue is bound: from here on nothing published is missed, so the snapshot closes the gap of
                // whatever was published while we were away.
                await FetchSnapshotUntilSuccessAsync(broker.Closed, stoppingToken);
                reporter.Report();
                await broker.Closed.WaitAsync(stoppingToken);
                Log.Disconnected(logger);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.BrokerUnavailable(logger, e.Message, delay);
            }
            finally
            {
                if (connected)
                {
                    store.SetConnected(false);
                }

                await broker.CloseAsync();
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            // Fail static, but not blind: while the broker is away the snapshot endpoint may still bring news.
            await snapshots.TryFetchAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            waits++;
        }
    }

    private TimeSpan NextDelay(int attempts) =>
        DeliveryBackoff.Next(attempts, options.ReconnectDelay, options.MaxReconnectDelay, Random.Shared.NextDouble());

    private async Task<string> SubscribeAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(Exchanges.RoutingTable, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);

        // Our own server-named queue: every instance gets every message; it disappears with the connection.
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue.QueueName, Exchanges.RoutingTable, "", cancellationToken: cancellationToken);
        await channel.BasicQosAsync(0, 16, false, cancellationToken);

        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) => OnDeliveryAsync(channel, delivery);
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: false, consumer, cancellationToken);
        return queue.QueueName;
    }

    private async Task OnDeliveryAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        var type = delivery.BasicProperties.Type;
        if (type is not null && !string.Equals(type, MessageTypes.RoutingTableChanged, StringComparison.Ordinal))
        {
            Log.UnexpectedType(logger, type);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            return;
        }

        ApplyDecision decision;
        try
        {
            decision = store.Offer(delivery.Body.Span, TableSource.Broker);
        }
        catch (Exception e)
        {
            // A handler bug must not leave the message unacknowledged forever.
            Log.HandlerFailed(logger, e);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
            return;
        }

        if (decision.Outcome == ApplyOutcome.Rejected)
        {
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
        }
        else
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        }
    }

    private async Task FetchSnapshotUntilSuccessAsync(Task disconnected, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!await snapshots.TryFetchAsync(stoppingToken))
        {
            var wait = Task.Delay(NextDelay(++failures), time, stoppingToken);
            await Task.WhenAny(wait, disconnected);
            if (disconnected.IsCompleted || stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
