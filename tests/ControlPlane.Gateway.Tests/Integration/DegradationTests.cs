using System.Net;
using System.Text.Json;
using ControlPlane.Contracts;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// The route's degradation profile, end to end: the primary tier goes down for real (the simulator answers 529), the
/// control plane's table says what each request class gets, and the gateway obeys it — background shed with
/// Retry-After, standard served by the local tier, needs-primary held until the primary returns or the deadline.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class DegradationTests(GatewayStack stack)
{
    private static readonly TestRoute Route = GatewayStack.Tiered;

    [Fact]
    public async Task PrimaryTierDown_EachClassGetsWhatTheProfileSays_AndHeldRequestsFinishOnThePrimaryWhenItReturns()
    {
        using var client = GatewayStack.Client(stack.Gateway);
        client.Timeout = TimeSpan.FromSeconds(60);
        await stack.UntilTargetAsync(Route.Id, Route.Primary, eligible: true, "the primary starts healthy");
        await UntilStateAsync(DegradationStates.Normal);

        // Normal: a needs-primary request is served at once, by the primary.
        using (var normal = await SendAsync(client, "needs-primary"))
        {
            Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
            Assert.Equal(Route.Primary, normal.Headers.GetValues("x-gateway-target").Single());
        }

        try
        {
            await stack.Stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });
            await UntilStateAsync(DegradationStates.Degraded);

            // background: shed at once, in the client's API, with Retry-After.
            using (var shed = await SendAsync(client, "background"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, shed.StatusCode);
                Assert.True(shed.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "a shed request says when to retry");
                using var error = JsonDocument.Parse(await shed.Content.ReadAsStringAsync());
                Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
                Assert.Contains("sheds 'background' requests", error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            }

            // The same refusal in the OpenAI API for an OpenAI client.
            using (var shedOpenAi = await SendOpenAiAsync(client, "background"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, shedOpenAi.StatusCode);
                using var error = JsonDocument.Parse(await shedOpenAi.Content.ReadAsStringAsync());
                Assert.Equal("route_shedding", error.RootElement.GetProperty("error").GetProperty("code").GetString());
            }

            // standard (the route's default class): served by the local tier.
            using (var standard = await SendAsync(client, requestClass: null))
            {
                Assert.Equal(HttpStatusCode.OK, standard.StatusCode);
                Assert.Equal(Route.Secondary, standard.Headers.GetValues("x-gateway-target").Single());
            }

            // needs-primary while the primary stays down: held for the route's 15 s, then 503 with Retry-After.
            using (var timedOut = await SendAsync(client, "needs-primary"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.StatusCode);
                Assert.NotNull(timedOut.Headers.RetryAfter);
                Assert.Contains("held this 'needs-primary' request", await timedOut.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // needs-primary, and the primary returns within the deadline: the held request is answered by the primary.
            var held = SendAsync(client, "needs-primary");
            await stack.Stack.UntilAsync(async () => await HeldAsync() >= 1, "the gateway holds the needs-primary request");
            await stack.Stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
            using (var served = await held)
            {
                Assert.Equal(HttpStatusCode.OK, served.StatusCode);
                Assert.Equal(Route.Primary, served.Headers.GetValues("x-gateway-target").Single());
            }
        }
        finally
        {
            await stack.Stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
        }

        var metrics = await PrometheusText.ScrapeAsync(client, stack.Gateway.BaseUrl);
        double Count(string requestClass, string result) => metrics.Sum("gateway_class_requests_total",
            l => l.GetValueOrDefault("route") == Route.Id && l.GetValueOrDefault("class") == requestClass && l.GetValueOrDefault("result") == result);
        Assert.True(Count("background", "shed") >= 2);
        Assert.True(Count("needs-primary", "held_timeout") >= 1);
        Assert.True(Count("needs-primary", "held_served") >= 1);
        Assert.True(Count("standard", "served") >= 1);
    }

    [Fact]
    public async Task MalformedOrUnknownClass_IsABadRequestInTheClientsApi()
    {
        using var client = GatewayStack.Client(stack.Gateway);

        using var malformed = await SendAsync(client, "Not A Class");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("x-request-class", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknown = await SendOpenAiAsync(client, "vip");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("has no request class 'vip'", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task UntilStateAsync(string state)
    {
        long version = 0;
        await stack.Stack.UntilAsync(async () =>
        {
            var table = await stack.TableAsync();
            var route = table?.Table.Routes.SingleOrDefault(r => r.Route == Route.Id);
            version = table?.Version ?? 0;
            return route?.Degradation?.State == state;
        }, $"the route's degradation state becomes {state}", TimeSpan.FromSeconds(90));
        await stack.Stack.UntilAsync(async () => await GatewayStack.GatewayVersionAsync(stack.Gateway) >= version, $"the gateway applies version {version}");
    }

    private async Task<double> HeldAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, stack.Gateway.BaseUrl);
        return metrics.Sum("gateway_held_requests", l => l.GetValueOrDefault("route") == Route.Id);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string? requestClass)
    {
        var request = GatewayStack.Post("/v1/messages", GatewayStack.AnthropicRequest(Route.Id, stream: false), anthropicVersion: "2023-06-01");
        if (requestClass is not null)
        {
            request.Headers.Add("x-request-class", requestClass);
        }

        return client.SendAsync(request);
    }

    private static Task<HttpResponseMessage> SendOpenAiAsync(HttpClient client, string requestClass)
    {
        var request = GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest(Route.Id, stream: false));
        request.Headers.Add("x-request-class", requestClass);
        return client.SendAsync(request);
    }
}
