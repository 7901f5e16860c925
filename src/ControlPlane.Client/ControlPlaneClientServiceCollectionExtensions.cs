using ControlPlane.Client.Messaging;
using ControlPlane.Client.Subscription;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Refit;

namespace ControlPlane.Client;

/// <summary>Registers the ControlPlane client.</summary>
public static class ControlPlaneClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds the client: options bound from the <c>ControlPlaneClient</c> section (then <paramref name="configure"/>)
    /// and validated on start, <see cref="IRoutingTableSource"/>, <see cref="IRouteSelector"/>, the Refit
    /// <see cref="IControlPlaneSnapshotApi"/>, the process's one <see cref="BrokerConnection"/> (other publishers of the
    /// process, such as a gateway's traffic reports, take a <see cref="BrokerPublisher"/> on it), and the hosted
    /// service that keeps the table current.
    /// </summary>
    public static IServiceCollection AddControlPlaneClient(this IServiceCollection services, Action<ControlPlaneClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ControlPlaneClientOptions>().BindConfiguration(ControlPlaneClientOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ControlPlaneClientOptions>, ControlPlaneClientOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ControlPlaneClientOptions>>().Value;
            var verifier = Contracts.RoutingTableVerifier.FromPem(o.ResolveTrustedKeyPems());
            return new RoutingTableStore(verifier, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<IRoutingTableSource>(sp => sp.GetRequiredService<RoutingTableStore>());
        services.TryAddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<ControlPlaneClientOptions>>().Value;
            return new BrokerConnection(new Uri(o.RabbitMqUri!), $"controlplane-client {o.SubscriberId}");
        });
        services.TryAddSingleton<IRouteSelector>(sp =>
            new RouteSelector(sp.GetRequiredService<IRoutingTableSource>(), sp.GetRequiredService<TimeProvider>()));

        services.AddRefitGeneratedClient<IControlPlaneSnapshotApi>()
            .ConfigureHttpClient((sp, http) =>
            {
                var o = sp.GetRequiredService<IOptions<ControlPlaneClientOptions>>().Value;
                http.BaseAddress = new Uri(o.ControlPlaneUrl!.TrimEnd('/') + "/");
                http.Timeout = o.SnapshotTimeout;
            });

        services.AddHostedService<ControlPlaneClientService>();
        return services;
    }

    /// <summary>Adds the client to a host builder; see <see cref="AddControlPlaneClient(IServiceCollection, Action{ControlPlaneClientOptions}?)"/>.</summary>
    public static IHostApplicationBuilder AddControlPlaneClient(this IHostApplicationBuilder builder, Action<ControlPlaneClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddControlPlaneClient(configure);
        return builder;
    }
}
