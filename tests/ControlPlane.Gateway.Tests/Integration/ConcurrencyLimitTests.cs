using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// The adaptive limit end to end: the simulator slows a target under steady traffic, the gateway's limit for it
/// (read from its /metrics) drops; the simulator heals it and the limit climbs back.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class ConcurrencyLimitTests(GatewayStack stack)
{
    private static readonly string Target = GatewayStack.Lim.Primary;

    [Fact]
    public async Task SlowTarget_LimitDrops_ThenRecoversAfterItHeals()
    {
        await stack.UntilTargetAsync(GatewayStack.Lim.Id, Target, eligible: true, "the primary starts healthy");
        await using var client = new SteadyClient(stack.Gateway, GatewayStack.Lim.Id, concurrency: 4);
        var initial = new ControlPlane.Gateway.Limits.ConcurrencyLimitOptions().InitialLimit;
        await stack.Stack.UntilAsync(async () => await LimitAsync() >= initial, "healthy traffic holds the limit at its start or above");
        await client.MoreSuccessesAsync(6, "healthy answers give the target its baseline");

        try
        {
            // Above 3 × the 250 ms baseline floor, under the stack's 1 s header timeout: slow answers, not failures.
            await stack.Stack.Simulator.SetChaosAsync(GatewayStack.Lim.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Slow, LatencyMs = 900 });
            // One cut is enough to tell: the control plane may take the slow target out of the table soon after.
            await stack.Stack.UntilAsync(async () => await LimitAsync() < initial, "the slow target's limit drops", TimeSpan.FromSeconds(90));
        }
        finally
        {
            await stack.Stack.Simulator.SetChaosAsync(GatewayStack.Lim.PrimaryProvider, ChaosSettings.Healthy);
        }

        await stack.Stack.UntilAsync(async () => await LimitAsync() >= initial, "the healed target's limit climbs back", TimeSpan.FromSeconds(90));
        await client.MoreSuccessesAsync(5, "traffic still flows");
    }

    [Fact]
    public async Task EveryTargetAtItsLimit_Answers503WithRetryAfter_InTheClientsApi()
    {
        await stack.UntilTargetAsync(GatewayStack.Lim.Id, Target, eligible: true, "the primary starts healthy");
        using var http = GatewayStack.Client(stack.Gateway);
        var slow = new ChaosSettings { Mode = ChaosMode.Slow, LatencyMs = 900 };
        try
        {
            // A limit judges slowness against the target's own fastest answers: let the primary answer healthy first.
            await BurstAsync(http, dispose: true);

            // The spare is only tried when the primary is full: slow the primary first, so the spare learns its
            // healthy speed from the overflow.
            await stack.Stack.Simulator.SetChaosAsync(GatewayStack.Lim.PrimaryProvider, slow);
            var spareBefore = await stack.AttemptsOnAsync(GatewayStack.Lim.Secondary);
            await stack.Stack.UntilAsync(async () =>
            {
                await BurstAsync(http, dispose: true);
                return await stack.AttemptsOnAsync(GatewayStack.Lim.Secondary) > spareBefore;
            }, "the slow primary's overflow reaches the healthy spare", TimeSpan.FromSeconds(90));

            // Now both are slow: their limits drop, and a burst wider than both finds every candidate full.
            await stack.Stack.Simulator.SetChaosAsync(GatewayStack.Lim.SecondaryProvider, slow);
            HttpResponseMessage? limited = null;
            await stack.Stack.UntilAsync(async () =>
            {
                var burst = await BurstAsync(http, dispose: false);
                limited = burst.FirstOrDefault(r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
                foreach (var response in burst.Where(r => r != limited))
                {
                    response.Dispose();
                }

                return limited is not null;
            }, "a burst finds both targets at their limits", TimeSpan.FromSeconds(90));

            using (limited)
            {
                Assert.Equal("1", limited!.Headers.GetValues("retry-after").Single());
                var error = JsonNode.Parse(await limited.Content.ReadAsStringAsync())!["error"]!;
                Assert.Equal("concurrency_limited", error["code"]!.GetValue<string>());
            }
        }
        finally
        {
            foreach (var provider in new[] { GatewayStack.Lim.PrimaryProvider, GatewayStack.Lim.SecondaryProvider })
            {
                await stack.Stack.Simulator.SetChaosAsync(provider, ChaosSettings.Healthy);
            }
        }
    }

    private static async Task<HttpResponseMessage[]> BurstAsync(HttpClient http, bool dispose)
    {
        var burst = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ =>
            http.SendAsync(GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest(GatewayStack.Lim.Id, stream: false)))));
        if (dispose)
        {
            foreach (var response in burst)
            {
                response.Dispose();
            }
        }

        return burst;
    }

    private async Task<double> LimitAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, stack.Gateway.BaseUrl);
        return metrics.Sum("gateway_concurrency_limit", labels => labels.GetValueOrDefault("target") == Target);
    }
}
