using System.Threading.Channels;
using ControlPlane.Client.Messaging;
using ControlPlane.Contracts;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Client.Subscription;

/// <summary>
/// Reports this instance's <see cref="SubscriberStatus"/> (applied version, last rejection) to the control plane over
/// the broker: on every apply and rejection, once after each (re)connect, and every
/// <see cref="ControlPlaneClientOptions.StatusReportInterval"/>. Reports queue in a small buffer that drops the oldest
/// (the newest carries the whole state) and are dropped while the broker is away.
/// </summary>
internal sealed class StatusReporter(
    RoutingTableStore store, BrokerPublisher publisher, ControlPlaneClientOptions options, TimeProvider time, ILogger logger)
{
    private readonly Channel<SubscriberStatus> _reports = Channel.CreateBounded<SubscriberStatus>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    /// <summary>Queues a report of the state as it is now.</summary>
    public void Report() => _reports.Writer.TryWrite(BuildStatus());

    /// <summary>Opens the report channel on a fresh connection (see <see cref="BrokerPublisher.OpenAsync"/>).</summary>
    public Task OpenAsync(CancellationToken cancellationToken) => publisher.OpenAsync(cancellationToken);

    /// <summary>The periodic reports and the publishing of queued ones, until stopped.</summary>
    public Task RunAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunPeriodicReportsAsync(stoppingToken), RunPublisherAsync(stoppingToken));

    private async Task RunPeriodicReportsAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.StatusReportInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Report();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RunPublisherAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var status in _reports.Reader.ReadAllAsync(stoppingToken))
            {
                await PublishAsync(status, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task PublishAsync(SubscriberStatus status, CancellationToken cancellationToken)
    {
        try
        {
            // Dropped while disconnected: the next report after reconnecting carries the same state.
            if (await publisher.TryPublishAsync(MessageTypes.SubscriberStatus, ContractsJson.Serialize(status), status.ReportedAt, cancellationToken))
            {
                store.Counters.CountStatusReport();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.StatusPublishFailed(logger, e.Message);
        }
    }

    private SubscriberStatus BuildStatus() => new()
    {
        SubscriberId = options.SubscriberId,
        Kind = options.Kind,
        Host = Environment.MachineName,
        AppliedVersion = store.CurrentVersion,
        AppliedAt = store.AppliedAt,
        AppliedContentHash = store.CurrentContentHash,
        ReportedAt = time.GetUtcNow(),
        LastRejection = store.LastRejection,
    };
}
