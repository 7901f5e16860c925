using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// Issue #16 item 5, unproven is not healthy: a primary that has answered nothing but 404s since the stack started
/// (its provider does not serve the model) never trips its breaker — a bad request is no outage — yet it must take no
/// traffic while the route's secondary works. The table marks it unproven, the gateway sends it nothing, the API shows
/// it, and the misconfiguration alert says it never succeeded.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class UnprovenTargetTests(GatewayStack stack)
{
    private static readonly TestRoute Route = GatewayStack.Unp;

    [Fact]
    public async Task NeverAnsweringPrimary_IsUnproven_TakesNoTraffic_AndRaisesTheMisconfigurationAlert()
    {
        long version = 0;
        await stack.Stack.UntilAsync(async () =>
        {
            var table = await stack.TableAsync();
            var entry = table?.Table.Routes.Single(r => r.Route == Route.Id).Tiers[0].Targets.Single();
            version = table?.Version ?? 0;
            return entry is { Unproven: true, Eligible: false, Weight: 0 };
        }, "the table marks the never-answering primary unproven", TimeSpan.FromSeconds(90));
        await stack.Stack.UntilAsync(async () => await GatewayStack.GatewayVersionAsync(stack.Gateway) >= version, $"the gateway applies version {version}");

        var route = (await stack.TableAsync())!.Table.Routes.Single(r => r.Route == Route.Id);
        Assert.Equal("closed", route.Tiers[0].Targets.Single().State); // 404s never trip a breaker: without the rule it would take traffic
        Assert.Equal(1, route.ActiveTier);
        Assert.Null(route.Tiers[1].Targets.Single().Unproven);

        using var http = GatewayStack.Client(stack.Gateway);
        var attemptsBefore = await stack.AttemptsOnAsync(Route.Primary);
        var okBefore = stack.Stack.Simulator.StatsOf(Route.SecondaryProvider).ByOutcome.GetValueOrDefault("ok");
        for (var i = 0; i < 10; i++)
        {
            using var response = await http.SendAsync(GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest(Route.Id, stream: i % 2 == 0)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Route.Secondary, response.Headers.GetValues("x-gateway-target").Single());
        }

        Assert.Equal(attemptsBefore, await stack.AttemptsOnAsync(Route.Primary));
        Assert.True(stack.Stack.Simulator.StatsOf(Route.SecondaryProvider).ByOutcome.GetValueOrDefault("ok") - okBefore >= 10);
        Assert.True(stack.Stack.Simulator.StatsOf(Route.PrimaryProvider).ByOutcome.GetValueOrDefault("unknown-model") > 0);

        using var api = ControlPlaneStack.Client(stack.ControlPlane, GatewayStack.Reader);
        var breakers = JsonNode.Parse(await api.GetStringAsync(new Uri("/api/breakers", UriKind.Relative)))!.AsArray();
        var primary = breakers.Single(b => (string)b!["target"]! == Route.Primary)!;
        var secondary = breakers.Single(b => (string)b!["target"]! == Route.Secondary)!;
        Assert.True((bool)primary["unproven"]!);
        Assert.False((bool)primary["proven"]!);
        Assert.True((bool)secondary["proven"]!);

        using var metricsHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(metricsHttp, stack.ControlPlane.BaseUrl);
        Assert.Equal(1, metrics.Sum("controlplane_target_unproven", l => l.GetValueOrDefault("provider") == Route.PrimaryProvider));
        Assert.Equal(0, metrics.Sum("controlplane_target_unproven", l => l.GetValueOrDefault("provider") == Route.SecondaryProvider));

        var key = $"{Route.PrimaryProvider}:{Route.Model}:misconfiguration";
        string? summary = null;
        await stack.Stack.UntilAsync(async () =>
        {
            var alerts = JsonNode.Parse(await api.GetStringAsync(new Uri("/api/alerts", UriKind.Relative)))!;
            summary = alerts["active"]!.AsArray().FirstOrDefault(a => (string)a!["dedupKey"]! == key)?["summary"]?.GetValue<string>();
            return summary is not null;
        }, "the misconfiguration alert for the unproven primary is active");
        Assert.Contains("never succeeded since it was added:", summary, StringComparison.Ordinal);
        Assert.Contains("bad requests (400/404/422)", summary, StringComparison.Ordinal);
    }
}
