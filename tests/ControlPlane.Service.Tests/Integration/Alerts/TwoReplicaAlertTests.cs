using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Integration.Alerts;

/// <summary>Two replicas on one database: only the leader sends, so every alert arrives exactly once.</summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class TwoReplicaAlertTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TestRoute Route = new("chat-default", "anthropic", "openai", "claude-sonnet-4-5");

    [Fact]
    public async Task TwoReplicas_SendEveryAlertExactlyOnce()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        var secret = WebhookVerifier.NewSecret();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(1),
            AlertStacks.WebhookSink("pair", receiver.Url, secret, new Dictionary<string, string?> { ["Alerts__GroupWait"] = "00:00:00" }),
            [AlertStacks.Operator]);
        var first = await stack.StartReplicaAsync();
        var second = await stack.StartReplicaAsync();
        using var firstHttp = ControlPlaneStack.Client(first, AlertStacks.Operator);
        using var secondHttp = ControlPlaneStack.Client(second, AlertStacks.Operator);
        await stack.UntilAsync(
            async () => await OperationsReader.MetricAsync(firstHttp, "controlplane_leader") + await OperationsReader.MetricAsync(secondHttp, "controlplane_leader") == 1,
            "one of the two replicas leads");

        // Test alerts fired through both replicas, and a real breaker alert raised by the leader's evaluation.
        var fired = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            fired.Add((await AlertStacks.FireTestAsync(i % 2 == 0 ? firstHttp : secondHttp, "pair")).ToString());
        }

        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });
        await stack.UntilAsync(
            () => Task.FromResult(receiver.Accepted.Any(r => r.DedupKey == "anthropic:claude-sonnet-4-5:open")),
            "the open breaker is alerted");
        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
        await stack.UntilAsync(
            () => Task.FromResult(receiver.Accepted.Any(r => r.DedupKey == "anthropic:claude-sonnet-4-5:open" && r.Type == "alert.resolved")),
            "and resolved", TimeSpan.FromSeconds(90));
        await stack.UntilAsync(() => Task.FromResult(fired.All(id => receiver.Accepted.Any(r => r.Id == id))), "every test alert arrives");
        await stack.UntilAsync(
            async () => (await AlertStacks.DeliveriesAsync(firstHttp, "?sink=pair&status=pending")).GetArrayLength() == 0,
            "nothing is pending");

        Assert.All(receiver.Received, r => Assert.True(r.Accepted));
        Assert.Equal(receiver.Received.Count, receiver.Received.Select(r => r.Id).Distinct().Count());
        Assert.All(receiver.Received, r => Assert.True(WebhookVerifier.Verify(secret, r)));
        Assert.Equal(["alert.triggered", "alert.resolved"],
            receiver.Received.Where(r => r.DedupKey == "anthropic:claude-sonnet-4-5:open").Select(r => r.Type));
    }
}
