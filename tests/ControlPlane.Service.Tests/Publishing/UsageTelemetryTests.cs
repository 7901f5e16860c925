using ControlPlane.Service.Publishing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Tests.Publishing;

/// <summary>
/// MassTransit 8.4+ posts usage telemetry to usage-tracking.masstransit.io five minutes after its bus starts — later
/// than the strace test (OutboundConnectionTests) watches — so the switch itself is checked here.
/// </summary>
public sealed class UsageTelemetryTests
{
    [Fact]
    public void AddPublishing_TurnsMassTransitUsageTelemetryOff()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:RabbitMq"] = "amqp://guest:guest@127.0.0.1:5672/";
        builder.AddPublishing();
        using var provider = builder.Services.BuildServiceProvider();

        Assert.False(provider.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }
}
