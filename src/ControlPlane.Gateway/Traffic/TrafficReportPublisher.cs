using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace ControlPlane.Gateway.Traffic;

/// <summary>
/// Every <see cref="GatewayOptions.TrafficReportInterval"/>, publishes what each target did as a raw-JSON
/// <see cref="TrafficReport"/> to the durable fanout exchange <c>controlplane.traffic-reports</c> (RabbitMQ.Client,
/// like the SDK's status reports). Windows with no traffic send nothing; while the broker is away reports are
/// dropped (passive health is about now; the next window carries fresh evidence) and the connection is retried.
/// </summary>
internal sealed partial class TrafficReportPublisher(
    TrafficRecorder recorder,
    IOptions<GatewayOptions> options,
    IOptions<ControlPlaneClientOptions> client,
    TimeProvider time,
    ILogger<TrafficReportPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(5);

    private IConnection? _connection;
    private IChannel? _channel;
    private long _nextConnectAttempt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.TrafficReportInterval, time);
        var windowStart = time.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var windowEnd = time.GetUtcNow();
                var targets = recorder.Drain();
                if (targets.Count > 0)
                {
                    await PublishAsync(new TrafficReport
                    {
                        ReporterId = client.Value.SubscriberId,
                        WindowStart = windowStart,
                        WindowEnd = windowEnd,
                        Targets = targets,
                    }, stoppingToken);
                }

                windowStart = windowEnd;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            await CloseAsync();
        }
    }

    private async Task PublishAsync(TrafficReport report, CancellationToken cancellationToken)
    {
        if (await ChannelAsync(cancellationToken) is not { } channel)
        {
            GatewayMetrics.TrafficReports.WithLabels("dropped").Inc();
            return;
        }

        try
        {
            var properties = new BasicProperties
            {
                ContentType = MessageTypes.ContentType,
                Type = MessageTypes.TrafficReport,
                MessageId = Guid.NewGuid().ToString("N"),
                Timestamp = new AmqpTimestamp(report.WindowEnd.ToUnixTimeSeconds()),
                DeliveryMode = DeliveryModes.Transient,
            };
            await channel.BasicPublishAsync(Exchanges.TrafficReports, "", mandatory: false, properties, ContractsJson.Serialize(report), cancellationToken);
            GatewayMetrics.TrafficReports.WithLabels("published").Inc();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GatewayMetrics.TrafficReports.WithLabels("dropped").Inc();
            LogPublishFailed(logger, e.Message);
            await CloseAsync();
        }
    }

    private async Task<IChannel?> ChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        if (time.GetTimestamp() < _nextConnectAttempt)
        {
            return null;
        }

        await CloseAsync();
        try
        {
            var factory = new ConnectionFactory
            {
                Uri = new Uri(client.Value.RabbitMqUri!),
                AutomaticRecoveryEnabled = false,
                RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
                ClientProvidedName = $"controlplane-gateway traffic {client.Value.SubscriberId}",
            };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
            await _channel.ExchangeDeclareAsync(Exchanges.TrafficReports, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
            LogConnected(logger);
            return _channel;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _nextConnectAttempt = time.GetTimestamp() + (long)(ReconnectDelay.TotalSeconds * time.TimestampFrequency);
            LogBrokerUnavailable(logger, e.Message);
            await CloseAsync();
            return null;
        }
    }

    private async Task CloseAsync()
    {
        try
        {
            if (_channel is not null)
            {
                await _channel.DisposeAsync();
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Already gone.
        }

        _channel = null;
        _connection = null;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Publishing traffic reports to the broker")]
    private static partial void LogConnected(ILogger logger);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Broker unavailable for traffic reports: {Reason}; dropping reports until it is back")]
    private static partial void LogBrokerUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Could not publish a traffic report: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
