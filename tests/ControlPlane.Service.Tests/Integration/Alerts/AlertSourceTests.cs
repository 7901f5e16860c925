using System.Text.Json;
using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Integration.Alerts;

/// <summary>Real breaker transitions in a service process becoming alerts: grouping under a provider incident, and flapping.</summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class AlertSourceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task OverloadStormAcrossOneProvidersThreeModels_YieldsOneProviderAlert_NotThree()
    {
        TestRoute[] routes =
        [
            new("chat-a", "anthropic", "openai", "model-a"),
            new("chat-b", "anthropic", "openai", "model-b"),
            new("chat-c", "anthropic", "openai", "model-c"),
        ];
        await using var receiver = await AlertReceiver.StartAsync();
        var secret = WebhookVerifier.NewSecret();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, routes, TimeSpan.FromSeconds(1),
            AlertStacks.WebhookSink("storm", receiver.Url, secret, new Dictionary<string, string?> { ["Alerts__GroupWait"] = "00:00:08" }));
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica);
        await stack.UntilAsync(async () => await OperationsReader.LatestRouteAsync(http, "chat-c") is { ActiveTier: 0 }, "the first table is healthy");

        await stack.Simulator.SetChaosAsync("anthropic", new ChaosSettings { Mode = ChaosMode.Overloaded });
        await stack.UntilAsync(
            () => Task.FromResult(receiver.Accepted.Any(r => r.DedupKey == "anthropic:*:incident" && r.Type == "alert.triggered")),
            "the 529 storm raises a provider incident");
        await stack.UntilAsync(
            async () => (await OperationsReader.TransitionsAsync(http)).Count(t => t.Target.StartsWith("anthropic/", StringComparison.Ordinal) && t.To == "open") >= 3,
            "all three anthropic targets open");

        await stack.Simulator.SetChaosAsync("anthropic", ChaosSettings.Healthy);
        await stack.UntilAsync(
            () => Task.FromResult(receiver.Accepted.Any(r => r.DedupKey == "anthropic:*:incident" && r.Type == "alert.resolved")),
            "the incident resolves once the provider recovers", TimeSpan.FromSeconds(90));

        var anthropic = receiver.Accepted.Where(r => r.DedupKey.StartsWith("anthropic:", StringComparison.Ordinal)).ToList();
        Assert.True(anthropic.Count == 2, string.Join("\n", anthropic.Select(r => r.Body)));
        Assert.Equal(["alert.triggered", "alert.resolved"], anthropic.Select(r => r.Type));
        Assert.All(anthropic, r => Assert.Equal("anthropic:*:incident", r.DedupKey));
        Assert.Equal("critical", anthropic[0].Json.GetProperty("data").GetProperty("severity").GetString());
        Assert.All(receiver.Received, r => Assert.True(WebhookVerifier.Verify(secret, r)));

        var recent = (await AlertStacks.AlertsAsync(http)).GetProperty("recent").EnumerateArray().ToList();
        Assert.DoesNotContain(recent, a => a.GetProperty("kind").GetString() == "open");
        Assert.Equal(2, recent.Count(a => a.GetProperty("dedupKey").GetString() == "anthropic:*:incident"));
        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("controlplane_alerts_total{kind=\"incident\",severity=\"critical\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlappingTarget_YieldsAtMostOneAlertPerConfiguredPeriod()
    {
        var route = new TestRoute("chat-flap", "anthropic", "openai", "model-flap");
        await using var receiver = await AlertReceiver.StartAsync();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [route], TimeSpan.FromSeconds(1),
            AlertStacks.WebhookSink("flap", receiver.Url, WebhookVerifier.NewSecret(), new Dictionary<string, string?>
            {
                ["Alerts__GroupWait"] = "00:00:00",
                ["Alerts__FlapPeriod"] = "00:10:00",
            }));
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica);
        await stack.UntilAsync(async () => await OperationsReader.LatestRouteAsync(http, route.Id) is { ActiveTier: 0 }, "the first table is healthy");

        for (var cycle = 1; cycle <= 2; cycle++)
        {
            await stack.Simulator.SetChaosAsync("anthropic", new ChaosSettings { Mode = ChaosMode.Overloaded });
            await stack.UntilAsync(async () => await StateAsync(http, route.Primary) == "open", $"cycle {cycle}: the target opens");
            await stack.Simulator.SetChaosAsync("anthropic", ChaosSettings.Healthy);
            await stack.UntilAsync(async () => await StateAsync(http, route.Primary) == "closed", $"cycle {cycle}: the target closes again", TimeSpan.FromSeconds(90));
            if (cycle == 1)
            {
                await stack.UntilAsync(
                    () => Task.FromResult(receiver.Accepted.Any(r => r.DedupKey == "anthropic:model-flap:open" && r.Type == "alert.resolved")),
                    "the first episode is triggered and resolved");
            }
        }

        // The second episode is over (closed and committed); give the sender a moment to drain anything it raised.
        await stack.UntilAsync(
            async () => (await AlertStacks.DeliveriesAsync(http, "?sink=flap&status=pending")).GetArrayLength() == 0,
            "nothing is pending for the sink");
        var episodes = receiver.Accepted.Where(r => r.DedupKey == "anthropic:model-flap:open").Select(r => r.Type).ToList();
        Assert.Equal(["alert.triggered", "alert.resolved"], episodes);
        var transitions = await OperationsReader.TransitionsAsync(http, route.Primary);
        Assert.True(transitions.Count(t => t.From == "closed" && t.To == "open") >= 2, "the target really opened twice");
    }

    private static async Task<string?> StateAsync(HttpClient http, string target)
    {
        using var breakers = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/breakers", UriKind.Relative)));
        return breakers.RootElement.EnumerateArray().Where(b => b.GetProperty("target").GetString() == target)
            .Select(b => b.GetProperty("state").GetString()).FirstOrDefault();
    }
}
