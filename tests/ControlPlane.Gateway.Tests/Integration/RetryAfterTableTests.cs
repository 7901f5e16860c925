using System.Net;
using ControlPlane.Contracts;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// Issue #15, Retry-After fleet-wide: a target answering 429 with retry-after is skipped by the gateway at once, and
/// the control plane (told by the gateway's traffic report, and by its own probes) publishes it as not eligible — its
/// breaker still closed, a rate limit is no outage — until the hint runs out; then it returns.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class RetryAfterTableTests(GatewayStack stack)
{
    private static readonly TestRoute Route = GatewayStack.Ctx;

    [Fact]
    public async Task RetryAfter429_PausesTheTargetInTheTable_UntilTheHintRunsOut()
    {
        await stack.UntilTargetAsync(Route.Id, Route.Primary, eligible: true, "the primary starts in the table");
        using var http = GatewayStack.Client(stack.Gateway);
        try
        {
            await stack.Stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.RateLimited, RetryAfterSeconds = 6 });

            using (var first = await http.SendAsync(Ping()))
            {
                Assert.Equal(HttpStatusCode.OK, first.StatusCode);
                Assert.Equal(Route.Secondary, first.Headers.GetValues("x-gateway-target").Single());
            }

            // The hint holds on this gateway at once, before any table says so.
            var attempts = await stack.AttemptsOnAsync(Route.Primary);
            using (var second = await http.SendAsync(Ping()))
            {
                Assert.Equal(Route.Secondary, second.Headers.GetValues("x-gateway-target").Single());
            }

            Assert.Equal(attempts, await stack.AttemptsOnAsync(Route.Primary));

            await stack.UntilTargetAsync(Route.Id, Route.Primary, eligible: false, "the retry hint pauses the primary in the table");
            var entry = (await stack.TableAsync())!.Table.Routes.Single(r => r.Route == Route.Id).Tiers[0].Targets.Single();
            Assert.Equal(TargetStates.Closed, entry.State); // paused, not tripped

            // The control plane's own probe may see the 429 first; the gateway's report follows within its tick.
            using var metricsHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await stack.Stack.UntilAsync(async () =>
                (await PrometheusText.ScrapeAsync(metricsHttp, stack.ControlPlane.BaseUrl))
                    .Sum("controlplane_retry_after_hints_total", l => l.GetValueOrDefault("source") == "traffic") >= 1,
                "the gateway's traffic report carried the hint");
        }
        finally
        {
            await stack.Stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
        }

        await stack.UntilTargetAsync(Route.Id, Route.Primary, eligible: true, "the hint runs out and the primary returns");
        using var back = await http.SendAsync(Ping());
        Assert.Equal(Route.Primary, back.Headers.GetValues("x-gateway-target").Single());
    }

    private static HttpRequestMessage Ping() => GatewayStack.Post("/v1/chat/completions", new
    {
        model = Route.Id,
        max_tokens = 16,
        messages = new[] { new { role = "user", content = "ping" } },
    });
}
