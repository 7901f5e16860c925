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

        // Other tests' gateways may still count (a gateway drops out a minute after its last report): the rule is
        // checked against whatever count the table holds, and the second gateway must make it at least two.
        await UntilShareAsync([stack.Gateway], atLeast: 1);
        var second = await stack.Stack.StartGatewayAsync(GatewayStack.FastSafetyNet);
        try
        {
            var gateways = await UntilShareAsync([stack.Gateway, second], atLeast: 2);
            Assert.True(gateways >= 2);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    /// <summary>
    /// Sends through each gateway (so it reports traffic and its limit gauge moves) until the table counts at least
    /// <paramref name="atLeast"/> gateways and each gateway's limit on the capped target is its share of that count.
    /// </summary>
    private async Task<int> UntilShareAsync(IReadOnlyList<ServiceProcess> gateways, int atLeast)
    {
        var count = 0;
        await stack.Stack.UntilAsync(async () =>
        {
            foreach (var gateway in gateways)
            {
                await SendAsync(gateway);
            }

            var table = await stack.TableAsync();
            var capped = table?.Table.Routes.Single(r => r.Route == Route.Id).Tiers.SelectMany(t => t.Targets).Single(t => t.Target == Route.Primary);
            if (table?.Table.ReportingGateways is not { } reporting || reporting < atLeast || capped?.MaxConcurrency != FleetMax)
            {
                return false;
            }

            count = reporting;
            var share = Math.Ceiling((double)FleetMax / reporting);
            foreach (var gateway in gateways)
            {
                if (await GatewayStack.GatewayVersionAsync(gateway) < table.Version || await LimitAsync(gateway) != share)
                {
                    return false;
                }
            }

            return true;
        }, $"at least {atLeast} gateway(s) counted, and each gateway's limit is its share of {FleetMax}", TimeSpan.FromSeconds(90));
        return count;
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
