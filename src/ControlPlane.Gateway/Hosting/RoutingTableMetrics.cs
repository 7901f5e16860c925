using ControlPlane.Client;
using ControlPlane.Gateway.Forwarding;
using Prometheus;

namespace ControlPlane.Gateway.Hosting;

/// <summary>Refreshes the routing-table gauges at each scrape (staleness grows by itself, so no event would do).</summary>
internal sealed class RoutingTableMetrics(IRoutingTableSource table) : IHostedService
{
    // The SDK counts rejections per reason of a closed set (RejectionReasons.All); exported as is, so a flood of forged
    // tables moves these series and never creates new ones.
    private static readonly Counter Rejections = Metrics.CreateCounter(
        "gateway_routing_table_rejections_total",
        "Routing tables this gateway's subscription rejected, by reason (too-large, malformed, unknown-key-id, bad-signature, version-conflict).",
        "reason");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            foreach (var (reason, count) in table.Counters.RejectedByReason)
            {
                Rejections.WithLabels(reason).IncTo(count);
            }

            GatewayMetrics.TableVersion.Set(table.CurrentVersion ?? 0);
            GatewayMetrics.TableStaleness.Set(table.Staleness?.TotalSeconds ?? -1);
            GatewayMetrics.TableConnected.Set(table.IsConnected ? 1 : 0);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
