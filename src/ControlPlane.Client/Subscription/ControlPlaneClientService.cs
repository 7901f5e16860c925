using System.Globalization;
using System.Net;
using System.Threading.Channels;
using ControlPlane.Contracts;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlPlane.Client.Subscription;

/// <summary>
/// Keeps <see cref="RoutingTableStore"/> current: cache at start, snapshot over HTTP, then the broker subscription
/// with a reconnect loop; reports status back. Never throws on an unreachable control plane or broker: it keeps
/// serving the last good table (fail static) and retries in the background with capped exponential backoff.
/// </summary>
internal sealed partial class ControlPlaneClientService : BackgroundService
{
    private readonly RoutingTableStore _store;
    private readonly IControlPlaneSnapshotApi _snapshots;
    private readonly ControlPlaneClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ControlPlaneClientService> _logger;
    private readonly Channel<SubscriberStatus> _reports = Channel.CreateBounded<SubscriberStatus>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly Lock _cacheGate = new();
    private readonly SemaphoreSlim _publishGate = new(1, 1);
    private readonly Channel<bool> _conflicts = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long _cachedVersion;
    private volatile IChannel? _publishChannel;

    public ControlPlaneClientService(
        RoutingTableStore store,
        IControlPlaneSnapshotApi snapshots,
        IOptions<ControlPlaneClientOptions> options,
        TimeProvider time,
        ILogger<ControlPlaneClientService> logger)
    {
        _store = store;
        _snapshots = snapshots;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        _store.Decided += OnDecided;
        LoadCache();

        // One bounded attempt before the host reports started, so a reachable control plane means a table at start.
        await TryFetchSnapshotAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _store.Decided -= OnDecided;
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _publishGate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reporting = Task.WhenAll(
            RunPeriodicReportsAsync(stoppingToken), RunReportPublisherAsync(stoppingToken), RunConflictResolutionAsync(stoppingToken));
        await RunSubscriptionAsync(stoppingToken);
        await reporting;
    }

    private void LoadCache()
    {
        if (_options.CacheFile is not { } path || !File.Exists(path))
        {
            return;
        }

        try
        {
            var decision = _store.Offer(File.ReadAllBytes(path), TableSource.Cache);
            if (decision.Outcome == ApplyOutcome.Applied)
            {
                _cachedVersion = decision.Message!.Version;
                Log.CacheLoaded(_logger, decision.Message.Version, path);
            }
            else
            {
                Log.CacheRejected(_logger, path, decision.RejectionReason ?? decision.Outcome.ToString(), decision.Detail);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.CacheUnreadable(_logger, path, e);
        }
    }

    private void OnDecided(ApplyDecision decision, TableSource source)
    {
        switch (decision.Outcome)
        {
            case ApplyOutcome.Applied:
                Log.Applied(_logger, decision.Message!.Version, source);
                if (source != TableSource.Cache)
                {
                    PersistCache();
                }

                _reports.Writer.TryWrite(BuildStatus());
                break;
            case ApplyOutcome.Rejected:
                Log.Rejected(_logger, decision.Message?.Version, source, decision.RejectionReason!, decision.Detail);
                _reports.Writer.TryWrite(BuildStatus());
                if (decision.RejectionReason == RejectionReasons.VersionConflict && source != TableSource.Snapshot)
                {
                    // Two tables claim one version: ask the control plane which one is its own (its answer settles it).
                    _conflicts.Writer.TryWrite(true);
                }

                break;
            default:
                Log.Ignored(_logger, decision.Message!.Version, _store.CurrentVersion ?? 0, source);
                break;
        }
    }

    private void PersistCache()
    {
        if (_options.CacheFile is not { } path)
        {
            return;
        }

        lock (_cacheGate)
        {
            // Re-read under the lock: two sources may apply back to back; the cache must never go backwards.
            var version = _store.CurrentVersion ?? 0;
            var json = _store.CurrentJson;
            if (json is null || version <= _cachedVersion)
            {
                return;
            }

            var temp = $"{path}.{Environment.ProcessId}.tmp";
            try
            {
                if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
                {
                    Directory.CreateDirectory(directory);
                }

                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    stream.Write(json.Value.Span);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, path, overwrite: true);
                _cachedVersion = version;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.CacheWriteFailed(_logger, path, e);
                TryDelete(temp);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temp file is harmless.
        }
    }

    /// <returns>True when the control plane answered with a valid table (applied or not newer) or with 404.</returns>
    private async Task<bool> TryFetchSnapshotAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.SnapshotTimeout);
        try
        {
            using var response = await _snapshots.GetRoutingTableAsync(timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                _store.RecordContact();
                Log.NoTableYet(_logger);
                return true;
            }

            if (!response.IsSuccessStatusCode)
            {
                Log.SnapshotFailed(_logger, $"HTTP {(int)response.StatusCode}", null);
                return false;
            }

            // The size limit holds before parsing here too: never buffer more than the limit of an answer.
            if (response.Content.Headers.ContentLength is > ProtocolLimits.MaxMessageBytes and var declared)
            {
                return _store.RejectOversized(declared, TableSource.Snapshot).Outcome != ApplyOutcome.Rejected;
            }

            var body = await ReadBoundedAsync(response.Content, timeout.Token);
            return body is null
                ? _store.RejectOversized(ProtocolLimits.MaxMessageBytes + 1L, TableSource.Snapshot).Outcome != ApplyOutcome.Rejected
                : _store.Offer(body, TableSource.Snapshot).Outcome != ApplyOutcome.Rejected;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Refit wraps transport failures (ApiRequestException); whatever it is, we keep the last good table.
            Log.SnapshotFailed(_logger, e.GetBaseException().Message, null);
            return false;
        }
    }

    /// <returns>The body, or null when it is longer than <see cref="ProtocolLimits.MaxMessageBytes"/> (read no further).</returns>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > ProtocolLimits.MaxMessageBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private async Task RunSubscriptionAsync(CancellationToken stoppingToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = new Uri(_options.RabbitMqUri!),
            // Our loop below does the recovering: the library's recovery neither retries a failed first connect
            // nor tells us when to re-fetch the snapshot, which every (re)connect must do.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            ClientProvidedName = $"controlplane-client {_options.SubscriberId}",
        };

        var delay = _options.ReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            IConnection? connection = null;
            var connected = false;
            try
            {
                connection = await factory.CreateConnectionAsync(stoppingToken);
                var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                connection.ConnectionShutdownAsync += (_, args) =>
                {
                    closed.TrySetResult();
                    return Task.CompletedTask;
                };

                var queue = await SubscribeAsync(connection, stoppingToken);
                _publishChannel = await CreatePublishChannelAsync(connection, stoppingToken);
                _store.SetConnected(true);
                connected = true;
                delay = _options.ReconnectDelay;
                Log.Subscribed(_logger, queue);

                // The queue is bound: from here on nothing published is missed, so the snapshot closes the gap of
                // whatever was published while we were away.
                await FetchSnapshotUntilSuccessAsync(closed.Task, stoppingToken);
                _reports.Writer.TryWrite(BuildStatus());
                await closed.Task.WaitAsync(stoppingToken);
                Log.Disconnected(_logger);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.BrokerUnavailable(_logger, e.Message, delay);
            }
            finally
            {
                _publishChannel = null;
                if (connected)
                {
                    _store.SetConnected(false);
                }

                await CloseQuietlyAsync(connection);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            // Fail static, but not blind: while the broker is away the snapshot endpoint may still bring news.
            await TryFetchSnapshotAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(Jittered(delay), _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

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

    private static async Task<IChannel> CreatePublishChannelAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(Exchanges.SubscriberStatus, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        return channel;
    }

    private async Task OnDeliveryAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        var type = delivery.BasicProperties.Type;
        if (type is not null && !string.Equals(type, MessageTypes.RoutingTableChanged, StringComparison.Ordinal))
        {
            Log.UnexpectedType(_logger, type);
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            return;
        }

        ApplyDecision decision;
        try
        {
            decision = _store.Offer(delivery.Body.Span, TableSource.Broker);
        }
        catch (Exception e)
        {
            // A handler bug must not leave the message unacknowledged forever.
            Log.HandlerFailed(_logger, e);
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
        var delay = _options.ReconnectDelay;
        while (!await TryFetchSnapshotAsync(stoppingToken))
        {
            var wait = Task.Delay(Jittered(delay), _time, stoppingToken);
            await Task.WhenAny(wait, disconnected);
            if (disconnected.IsCompleted || stoppingToken.IsCancellationRequested)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }
    }

    private async Task RunConflictResolutionAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var _ in _conflicts.Reader.ReadAllAsync(stoppingToken))
            {
                await TryFetchSnapshotAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RunPeriodicReportsAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.StatusReportInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                _reports.Writer.TryWrite(BuildStatus());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RunReportPublisherAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var status in _reports.Reader.ReadAllAsync(stoppingToken))
            {
                await PublishStatusAsync(status, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task PublishStatusAsync(SubscriberStatus status, CancellationToken cancellationToken)
    {
        if (_publishChannel is not { IsOpen: true } channel)
        {
            return; // Nowhere to send it; the next report after reconnecting carries the same state.
        }

        await _publishGate.WaitAsync(cancellationToken);
        try
        {
            var properties = new BasicProperties
            {
                ContentType = MessageTypes.ContentType,
                Type = MessageTypes.SubscriberStatus,
                MessageId = Guid.NewGuid().ToString("N"),
                Timestamp = new AmqpTimestamp(status.ReportedAt.ToUnixTimeSeconds()),
                DeliveryMode = DeliveryModes.Transient,
            };
            await channel.BasicPublishAsync(Exchanges.SubscriberStatus, "", mandatory: false, properties, ContractsJson.Serialize(status), cancellationToken);
            _store.Counters.CountStatusReport();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.StatusPublishFailed(_logger, e.Message);
        }
        finally
        {
            _publishGate.Release();
        }
    }

    private SubscriberStatus BuildStatus() => new()
    {
        SubscriberId = _options.SubscriberId,
        Kind = _options.Kind,
        Host = Environment.MachineName,
        AppliedVersion = _store.CurrentVersion,
        AppliedAt = _store.AppliedAt,
        AppliedContentHash = _store.CurrentContentHash,
        ReportedAt = _time.GetUtcNow(),
        LastRejection = _store.LastRejection,
    };

    private static TimeSpan Jittered(TimeSpan delay) =>
        TimeSpan.FromTicks((long)(delay.Ticks * (0.8 + (Random.Shared.NextDouble() * 0.4))));

    private static async Task CloseQuietlyAsync(IConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            if (connection.IsOpen)
            {
                await connection.CloseAsync(TimeSpan.FromSeconds(2));
            }
        }
        catch (Exception)
        {
            // Already gone.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Loaded routing table version {Version} from cache file {Path}")]
        public static partial void CacheLoaded(ILogger logger, long version, string path);

        [LoggerMessage(2, LogLevel.Warning, "Ignored cache file {Path}: {Reason} {Detail}")]
        public static partial void CacheRejected(ILogger logger, string path, string reason, string? detail);

        [LoggerMessage(3, LogLevel.Warning, "Cannot read cache file {Path}")]
        public static partial void CacheUnreadable(ILogger logger, string path, Exception exception);

        [LoggerMessage(4, LogLevel.Warning, "Cannot write cache file {Path}")]
        public static partial void CacheWriteFailed(ILogger logger, string path, Exception exception);

        [LoggerMessage(5, LogLevel.Information, "Applied routing table version {Version} from {Source}")]
        public static partial void Applied(ILogger logger, long version, TableSource source);

        [LoggerMessage(6, LogLevel.Debug, "Ignored routing table version {Version} (holding {Current}) from {Source}")]
        public static partial void Ignored(ILogger logger, long version, long current, TableSource source);

        [LoggerMessage(7, LogLevel.Warning, "Rejected routing table (version {Version}) from {Source}: {Reason} {Detail}; keeping the last good table")]
        public static partial void Rejected(ILogger logger, long? version, TableSource source, string reason, string? detail);

        [LoggerMessage(8, LogLevel.Information, "The control plane has no routing table yet")]
        public static partial void NoTableYet(ILogger logger);

        [LoggerMessage(9, LogLevel.Warning, "Routing table snapshot unavailable: {Reason}")]
        public static partial void SnapshotFailed(ILogger logger, string reason, Exception? exception);

        [LoggerMessage(10, LogLevel.Information, "Subscribed to routing tables with queue {Queue}")]
        public static partial void Subscribed(ILogger logger, string queue);

        [LoggerMessage(11, LogLevel.Warning, "Lost the broker connection; serving the last good table")]
        public static partial void Disconnected(ILogger logger);

        [LoggerMessage(12, LogLevel.Warning, "Broker unavailable ({Reason}); serving the last good table, retrying in about {Delay}")]
        public static partial void BrokerUnavailable(ILogger logger, string reason, TimeSpan delay);

        [LoggerMessage(13, LogLevel.Warning, "Ignored a message of type {Type} on the routing-table exchange")]
        public static partial void UnexpectedType(ILogger logger, string type);

        [LoggerMessage(14, LogLevel.Error, "Failed to handle a routing-table message")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(15, LogLevel.Debug, "Could not publish a status report: {Reason}")]
        public static partial void StatusPublishFailed(ILogger logger, string reason);
    }
}
