using System.Net;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// A fleet-wide concurrency ceiling is split across the gateways that report traffic: with one gateway it takes the
/// whole ceiling; a second gateway sending traffic makes the control plane publish a count of two, and each gateway's
/// limit on the target falls to its half.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class FleetConcurrencyTests(GatewayStack stack)
{
    private static readonly TestRoute Route = GatewayStack.Gem;
    private const int FleetMax = 8;

    [Fact]
    public async Task SecondReportingGateway_HalvesEachGatewaysShareOfTheTargetsCeiling()
    {
        await stack.UntilTargetAsync(Route.Id, Route.Primary, eligible: true, "the capped primary is healthy");
        await SendAsync(stack.Gateway);
        await UntilGatewaysAsync(1);
        Assert.True(await LimitAsync(stack.Gateway) <= FleetMax, "one gateway: at most the whole fleet ceiling");

        var second = await stack.Stack.StartGatewayAsync(GatewayStack.FastSafetyNet);
        try
        {
            await SendAsync(second);
            var version = await UntilGatewaysAsync(2);
            await stack.Stack.UntilAsync(async () => await GatewayStack.GatewayVersionAsync(stack.Gateway) >= version, "the first gateway applies the count");

            // The limit gauge moves when a slot is taken: one more request on each gateway.
            await SendAsync(stack.Gateway);
            await SendAsync(second);
            Assert.Equal(FleetMax / 2, await LimitAsync(stack.Gateway));
            Assert.Equal(FleetMax / 2, await LimitAsync(second));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    private async Task<long> UntilGatewaysAsync(int count)
    {
        long version = 0;
        await stack.Stack.UntilAsync(async () =>
        {
            var table = await stack.TableAsync();
            version = table?.Version ?? 0;
            var capped = table?.Table.Routes.Single(r => r.Route == Route.Id).Tiers.SelectMany(t => t.Targets).Single(t => t.Target == Route.Primary);
            return table?.Table.ReportingGateways == count && capped?.MaxConcurrency == FleetMax;
        }, $"the table counts {count} reporting gateway(s)", TimeSpan.FromSeconds(60));
        return version;
    }

    private static async Task SendAsync(ServiceProcess gateway)
    {
        using var client = GatewayStack.Client(gateway);
        using var response = await client.SendAsync(GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest(Route.Id, stream: false)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<double> LimitAsync(ServiceProcess gateway)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, gateway.BaseUrl);
        return metrics.Sum("gateway_concurrency_limit", l => l.GetValueOrDefault("target") == Route.Primary);
    }
}
