using ControlPlane.Hosting;
using ControlPlane.Client;
using ControlPlane.Contracts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Prometheus;

namespace ControlPlane.Gateway.Hosting;

/// <summary>What the gateway host has around the proxy: options, TimeProvider, health endpoints, metrics.</summary>
public static class GatewayDefaults
{
    public static IHostApplicationBuilder AddGatewayDefaults(this IHostApplicationBuilder builder)
    {
        ConfigFileSource.AddTo(builder);
        MetricsDefaults.SkipRuntimeMeters();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks().AddCheck<RoutingTableReadinessCheck>("routing-table", tags: ["ready"]);

        // Our own bounded body buffer decides (413 in the API's shape); Kestrel's default 30 MB would pre-empt it.
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = null);
        return builder;
    }

    /// <summary>The control-plane subscription, reporting itself as a gateway.</summary>
    public static IHostApplicationBuilder AddRoutingTable(this IHostApplicationBuilder builder)
    {
        builder.AddControlPlaneClient(o =>
        {
            if (o.Kind == SubscriberKinds.Sdk)
            {
                o.Kind = SubscriberKinds.Gateway;
            }
        });
        builder.Services.AddHostedService<RoutingTableMetrics>();
        return builder;
    }

    public static WebApplication MapGatewayDefaults(this WebApplication app)
    {
        app.MapMetrics();

        // Liveness: the process answers. Readiness: it holds a routing table, so it can route.
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}

internal sealed class RoutingTableReadinessCheck(IRoutingTableSource table) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(table.CurrentVersion is { } version
            ? HealthCheckResult.Healthy($"routing table version {version}")
            : HealthCheckResult.Unhealthy("no routing table yet"));
}
