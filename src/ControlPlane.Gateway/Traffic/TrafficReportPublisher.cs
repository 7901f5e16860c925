using ControlPlane.Client;
using ControlPlane.Client.Messaging;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Traffic;

/// <summary>
/// Every <see cref="GatewayOptions.TrafficReportInterval"/>, publishes what each target did as a raw-JSON
/// <see cref="TrafficReport"/> to the durable fanout exchange <c>controlplane.traffic-reports</c>, on a channel of its
/// own over the SDK's one broker connection (which the SDK's subscription keeps open and reopens). Windows with no
/// traffic send nothing; while the broker is away reports are dropped (passive health is about now; the next window
/// carries fresh evidence).
/// </summary>
internal sealed partial class TrafficReportPublisher(
    TrafficRecorder recorder,
    BrokerConnection broker,
    IOptions<GatewayOptions> options,
    IOptions<ControlPlaneClientOptions> client,
    TimeProvider time,
    ILogger<TrafficReportPublisher> logger) : BackgroundService
{
    private readonly BrokerPublisher _publisher = new(broker, Exchanges.TrafficReports);

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
            await _publisher.DisposeAsync();
        }
    }

    private async Task PublishAsync(TrafficReport report, CancellationToken cancellationToken)
    {
        try
        {
            var published = await _publisher.TryPublishAsync(
                MessageTypes.TrafficReport, ContractsJson.Serialize(report), report.WindowEnd, cancellationToken);
            GatewayMetrics.TrafficReports.WithLabels(published ? "published" : "dropped").Inc();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GatewayMetrics.TrafficReports.WithLabels("dropped").Inc();
            LogPublishFailed(logger, e.Message);
        }
    }

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Could not publish a traffic report: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
