using ControlPlane.Simulator;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// The whole loop under real traffic: the primary goes hard down, overloaded and silent in turn. The safety net
/// keeps every request answering; the gateway's traffic reports open the breaker, the new table reaches the
/// gateway, and from then on not one request is even attempted on the dead target; on recovery traffic returns.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class FailoverTests(GatewayStack stack)
{
    private static readonly string Primary = GatewayStack.Chat.PrimaryProvider;
    private static readonly string PrimaryTarget = GatewayStack.Chat.Primary;

    [Fact]
    public async Task SteadyTraffic_SurvivesRefuseOverloadAndHang_WithNoAttemptsOnTheDeadTargetAfterTheSwitch()
    {
        await using var client = new SteadyClient(stack.Gateway, GatewayStack.Chat.Id, concurrency: 3);
        await stack.UntilTargetAsync(GatewayStack.Chat.Id, GatewayStack.Chat.Primary, eligible: true, "the primary starts healthy");
        await client.MoreSuccessesAsync(10, "traffic flows before any outage");
        Assert.True(await stack.AttemptsOnAsync(PrimaryTarget) > 0, "healthy, the primary takes the route's traffic");

        foreach (var mode in new[] { ChaosMode.Refuse, ChaosMode.Overloaded, ChaosMode.Hang })
        {
            await stack.Stack.Simulator.SetChaosAsync(Primary, new ChaosSettings { Mode = mode });
            await stack.UntilTargetAsync(GatewayStack.Chat.Id, GatewayStack.Chat.Primary, eligible: false, $"{mode}: the primary's breaker opens");

            // Requests in flight when the table switched may still have tried the primary; later ones must not.
            await client.MoreSuccessesAsync(6, $"{mode}: requests in flight at the switch finish");
            var before = await stack.AttemptsOnAsync(PrimaryTarget);
            await client.MoreSuccessesAsync(30, $"{mode}: traffic keeps flowing on the secondary");
            Assert.Equal(before, await stack.AttemptsOnAsync(PrimaryTarget));

            await stack.Stack.Simulator.SetChaosAsync(Primary, ChaosSettings.Healthy);
            var recovered = await stack.AttemptsOnAsync(PrimaryTarget);
            await stack.Stack.UntilAsync(
                async () => await stack.AttemptsOnAsync(PrimaryTarget) > recovered + 5, $"{mode}: traffic returns to the recovered primary", TimeSpan.FromSeconds(90));
        }

        Assert.True(client.Failures.IsEmpty, $"{client.Failures.Count} client requests failed:\n{string.Join("\n", client.Failures.Take(10))}");
        Assert.True(client.Succeeded > 100);

        // The control plane saw the outages through the gateway's traffic reports, not only through its probes.
        using var http = new HttpClient { BaseAddress = stack.ControlPlane.BaseUrl };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Matches("controlplane_traffic_reports_total\\{result=\"folded\"\\} [1-9]", metrics);
        Assert.Matches("controlplane_passive_requests_total\\{provider=\"anthropic-primary\",outcome=\"overloaded\"\\} [1-9]", metrics);
    }
}
