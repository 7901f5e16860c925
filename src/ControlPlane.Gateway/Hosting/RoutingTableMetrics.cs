using ControlPlane.Client;
using ControlPlane.Gateway.Forwarding;
using Prometheus;

namespace ControlPlane.Gateway.Hosting;

/// <summary>Refreshes the routing-table gauges at each scrape (staleness grows by itself, so no event would do).</summary>
internal sealed class RoutingTableMetrics(IRoutingTableSource table) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
        {
            GatewayMetrics.TableVersion.Set(table.CurrentVersion ?? 0);
            GatewayMetrics.TableStaleness.Set(table.Staleness?.TotalSeconds ?? -1);
            GatewayMetrics.TableConnected.Set(table.IsConnected ? 1 : 0);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
