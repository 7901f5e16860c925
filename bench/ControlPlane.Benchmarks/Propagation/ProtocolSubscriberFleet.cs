using System.Collections.Concurrent;
using ControlPlane.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlPlane.Benchmarks.Propagation;

/// <summary>What the propagation benchmark needs from a set of subscribers, whatever they are built with.</summary>
internal interface ISubscriberFleet : IAsyncDisposable
{
    int Count { get; }

    /// <summary>The lowest version any member holds (0 before a table).</summary>
    long LowestVersion { get; }

    /// <summary>When member <paramref name="index"/> applied <paramref name="version"/>, if it did.</summary>
    DateTimeOffset? AppliedAt(int index, long version);

    /// <summary>When the message of <paramref name="version"/> reached member <paramref name="index"/>, before verification; null if not known.</summary>
    DateTimeOffset? ReceivedAt(int index, long version);

    /// <summary>Messages members rejected (bad signature, malformed): 0 unless something is broken.</summary>
    long Rejected { get; }
}

/// <summary>
/// Lightweight subscribers following docs/protocol.md with nothing but RabbitMQ.Client and the Contracts verifier:
/// each has its own channel and its own server-named exclusive queue bound to the fanout exchange, verifies the
/// signature and parses every message before applying it (never a version ≤ the current one), acks applied and
/// ignored messages and nacks rejected ones without requeue, and bootstraps from the snapshot endpoint once its queue
/// is bound. Several subscribers share one AMQP connection (as many channels), so a thousand fit in one process.
/// They do not persist a cache file or publish status reports: neither is on the path being measured.
/// </summary>
internal sealed class ProtocolSubscriberFleet : ISubscriberFleet
{
    private readonly List<IConnection> _connections = [];
    private readonly ProtocolSubscriber[] _subscribers;

    private ProtocolSubscriberFleet(ProtocolSubscriber[] subscribers) => _subscribers = subscribers;

    public int Count => _subscribers.Length;

    public long LowestVersion => _subscribers.Min(s => s.CurrentVersion);

    public long Rejected => _subscribers.Sum(s => s.Rejected);

    public DateTimeOffset? AppliedAt(int index, long version) => _subscribers[index].Applied.TryGetValue(version, out var at) ? at : null;

    public DateTimeOffset? ReceivedAt(int index, long version) => _subscribers[index].Received.TryGetValue(version, out var at) ? at : null;

    public static async Task<ProtocolSubscriberFleet> StartAsync(
        int count, int perConnection, string rabbitMqUri, Uri controlPlane, string keyId, string publicKeyPem, CancellationToken cancellationToken)
    {
        // One verifier (one ECDsa key object) per subscriber, as separate processes would have: the verifier locks
        // its key, and a shared one would serialise every subscriber's verification behind a single lock.
        var fleet = new ProtocolSubscriberFleet(Enumerable.Range(0, count)
            .Select(_ => new ProtocolSubscriber(RoutingTableVerifier.FromPem(new Dictionary<string, string> { [keyId] = publicKeyPem })))
            .ToArray());
        var factory = new ConnectionFactory
        {
            Uri = new Uri(rabbitMqUri),
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            ClientProvidedName = "bench-propagation",
        };

        var groups = fleet._subscribers.Chunk(perConnection).ToList();
        try
        {
            await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (group, ct) =>
            {
                var connection = await factory.CreateConnectionAsync(ct);
                lock (fleet._connections)
                {
                    fleet._connections.Add(connection);
                }

                foreach (var subscriber in group)
                {
                    await subscriber.SubscribeAsync(connection, ct);
                }
            });

            // Bind first, fetch second (docs/protocol.md): nothing published in between is missed.
            using var http = new HttpClient { BaseAddress = controlPlane, Timeout = TimeSpan.FromSeconds(30) };
            await Parallel.ForEachAsync(fleet._subscribers, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (subscriber, ct) =>
            {
                subscriber.Offer(await http.GetByteArrayAsync(new Uri("api/routing-table", UriKind.Relative), ct));
            });
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }

        return fleet;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            try
            {
                await connection.CloseAsync();
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException or OperationCanceledException)
            {
                // The queues are exclusive: they go with the connection either way.
            }

            connection.Dispose();
        }
    }

    private enum Outcome
    {
        Applied,
        Ignored,
        Rejected,
    }

    private sealed class ProtocolSubscriber(RoutingTableVerifier verifier)
    {
        private readonly Lock _gate = new();
        private long _currentVersion;
        private long _rejected;

        public ConcurrentDictionary<long, DateTimeOffset> Applied { get; } = new();

        public ConcurrentDictionary<long, DateTimeOffset> Received { get; } = new();

        public long CurrentVersion => Interlocked.Read(ref _currentVersion);

        public long Rejected => Interlocked.Read(ref _rejected);

        public async Task SubscribeAsync(IConnection connection, CancellationToken cancellationToken)
        {
            var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await channel.ExchangeDeclareAsync(Exchanges.RoutingTable, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue.QueueName, Exchanges.RoutingTable, "", cancellationToken: cancellationToken);
            await channel.BasicQosAsync(0, 16, false, cancellationToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                // The body is only valid during the handler: verify and apply before the first await.
                var outcome = Offer(delivery.Body.Span);
                if (outcome == Outcome.Rejected)
                {
                    await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
                }
                else
                {
                    await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                }
            };
            await channel.BasicConsumeAsync(queue.QueueName, autoAck: false, consumer, cancellationToken);
        }

        public Outcome Offer(ReadOnlySpan<byte> body)
        {
            var received = DateTimeOffset.UtcNow;
            var verification = verifier.Verify(body);
            if (!verification.IsValid)
            {
                Interlocked.Increment(ref _rejected);
                return Outcome.Rejected;
            }

            var version = verification.Message!.Version;
            Received.TryAdd(version, received);
            lock (_gate)
            {
                if (version <= _currentVersion)
                {
                    return Outcome.Ignored;
                }

                // Applying is swapping one reference; the verified, parsed message is what a data plane would hold.
                // The time is recorded first, so whoever sees the new version also finds when it was applied.
                Applied.TryAdd(version, DateTimeOffset.UtcNow);
                Interlocked.Exchange(ref _currentVersion, version);
            }

            return Outcome.Applied;
        }
    }
}
