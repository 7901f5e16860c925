using ControlPlane.Contracts;
using ControlPlane.Service.Health;
using ControlPlane.Service.Hosting;
using ControlPlane.Service.Subscribers;
using MassTransit;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Publishing;

public static class PublishingServiceCollectionExtensions
{
    /// <summary>
    /// Signed routing tables through a transactional outbox to RabbitMQ (our own publisher, so the AMQP properties are
    /// exactly the documented ones), and the subscribers' status and traffic reports back through MassTransit 8.
    /// Messages are raw JSON on plain fanout exchanges so any language can subscribe.
    /// </summary>
    public static IHostApplicationBuilder AddPublishing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PublishingOptions>().BindConfiguration(PublishingOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PublishingOptions>, PublishingOptionsValidator>();
        builder.Services.AddSingleton<RoutingTableSigning>();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<RoutingTablePublisher>();
        builder.Services.AddSingleton<SnapshotCache>();
        builder.Services.AddOptions<SubscriberOptions>().BindConfiguration(SubscriberOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SubscriberStore>();
        builder.Services.AddSingleton<CommittedTables>();
        builder.Services.AddHostedService<OutboxRelay>();
        builder.Services.AddHostedService<ConvergenceMonitor>();

        var rabbit = builder.Configuration.GetConnectionString("RabbitMq");
        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit 8.4+ posts usage telemetry to usage-tracking.masstransit.io after start. A control plane
            // makes no outbound call its operator did not configure (MASSTRANSIT_USAGE_TELEMETRY could re-enable it).
            bus.DisableUsageTelemetry();
            bus.AddConsumer<SubscriberStatusConsumer>();
            bus.AddConsumer<TrafficReportConsumer>();
            bus.UsingRabbitMq((context, rmq) =>
            {
                if (Uri.TryCreate(rabbit, UriKind.Absolute, out var uri))
                {
                    rmq.Host(uri);
                }

                rmq.UseRawJsonSerializer(RawSerializerOptions.Default, isDefault: true);

                // One shared queue for every replica (competing consumers): each report is recorded once.
                rmq.ReceiveEndpoint("controlplane.subscriber-status.control-plane", endpoint =>
                {
                    endpoint.ConfigureConsumeTopology = false;
                    endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                    endpoint.Bind(Exchanges.SubscriberStatus, b => b.ExchangeType = "fanout");
                    endpoint.ConfigureConsumer<SubscriberStatusConsumer>(context);
                });

                // Traffic reports feed in-memory windows, and only the leader evaluates: a shared queue would hand
                // most reports to replicas that ignore them. So every replica has its own queue (fanout, gone with the
                // replica) and every window holds the whole fleet's traffic — a new leader starts with the evidence.
                var replica = context.GetRequiredService<ReplicaIdentity>().Id;
                rmq.ReceiveEndpoint($"controlplane.traffic-reports.{replica}", endpoint =>
                {
                    endpoint.ConfigureConsumeTopology = false;
                    endpoint.Durable = false;
                    endpoint.AutoDelete = true;
                    endpoint.PrefetchCount = 64;
                    endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                    endpoint.Bind(Exchanges.TrafficReports, b => b.ExchangeType = "fanout");
                    endpoint.ConfigureConsumer<TrafficReportConsumer>(context);
                });
            });
        });
        builder.Services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            o.WaitUntilStarted = false;
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        return builder;
    }
}
