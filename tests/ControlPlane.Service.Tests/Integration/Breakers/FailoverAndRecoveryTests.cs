using System.Net;
using System.Text.Json;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>
/// A real service process probing the simulator every second: an overloaded primary moves the route to its second
/// tier, and recovery brings it back through half-open and slow start — all read back from the stored audit trail.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class FailoverAndRecoveryTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TestRoute Route = new("chat-default", "anthropic", "openai", "claude-sonnet-4-5");

    [Fact]
    public async Task OverloadedPrimary_FailsOverToTierOne_AndRecoversThroughHalfOpenAndSlowStart()
    {
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString,
            [Route],
            probeInterval: TimeSpan.FromSeconds(1),
            environment: new Dictionary<string, string?>
            {
                ["Breakers__BaseBreakDuration"] = "00:00:03",
                ["Breakers__SlowStartDuration"] = "00:00:02",
            });
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica);

        await stack.UntilAsync(
            async () => await OperationsReader.LatestRouteAsync(http, Route.Id) is { ActiveTier: 0 },
            "the first table routes chat-default to its healthy tier 0");

        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });
        RouteView? failedOver = null;
        await stack.UntilAsync(
            async () => (failedOver = await OperationsReader.LatestRouteAsync(http, Route.Id)) is { ActiveTier: 1 },
            "overloaded anthropic opens its breaker and the route moves to tier 1");
        Assert.False(failedOver!.Target(Route.Primary).Eligible);
        Assert.Contains(failedOver.Target(Route.Primary).State, new[] { "open", "half-open" });
        Assert.True(failedOver.Target(Route.Secondary).Weight > 0);

        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
        RouteView? recovered = null;
        await stack.UntilAsync(
            async () => (recovered = await OperationsReader.LatestRouteAsync(http, Route.Id)) is { ActiveTier: 0 } r
                && r.Target(Route.Primary) is { State: "closed", Weight: 100 },
            "healthy again, the breaker closes after its trial and the slow start ramps back to full weight");
        Assert.True(recovered!.Version > failedOver.Version);

        // Versions: strictly increasing, each naming its predecessor.
        var versions = await OperationsReader.VersionsAsync(http);
        Assert.Null(versions[0].PreviousVersion);
        for (var i = 1; i < versions.Count; i++)
        {
            Assert.True(versions[i].Version > versions[i - 1].Version);
            Assert.Equal(versions[i - 1].Version, versions[i].PreviousVersion);
            Assert.True(versions[i].CreatedAt >= versions[i - 1].CreatedAt);
        }

        // The stored tables show the trial (still on tier 1) and the slow-start ramp (tier 0 at full weight, with the
        // ramp as data for the subscribers to apply).
        var history = new List<RouteView>();
        foreach (var version in versions.Where(v => v.Version >= failedOver.Version))
        {
            history.Add(await OperationsReader.RouteAtAsync(http, version.Version, Route.Id));
        }

        Assert.Contains(history, r => r.ActiveTier == 1 && r.Target(Route.Primary).State == "half-open");
        Assert.Contains(history, r => r.ActiveTier == 0 && r.Target(Route.Primary) is { State: "closed", Weight: 100, SlowStart.DurationMs: 2000 });

        // Transitions: closed → open → (half-open ↔ open)* → half-open → closed, each with a reason and evidence.
        var transitions = await OperationsReader.TransitionsAsync(http, Route.Primary);
        Assert.All(transitions, t => Assert.Equal(Route.Primary, t.Target));
        Assert.True(transitions.Count >= 3, $"expected at least 3 transitions, got {transitions.Count}");
        Assert.Equal(("closed", "open"), (transitions[0].From, transitions[0].To));
        Assert.Equal(("half-open", "closed"), (transitions[^1].From, transitions[^1].To));
        Assert.Contains(transitions, t => (t.From, t.To) == ("open", "half-open"));
        for (var i = 1; i < transitions.Count; i++)
        {
            Assert.Equal(transitions[i - 1].To, transitions[i].From);
            Assert.True(transitions[i].OccurredAt >= transitions[i - 1].OccurredAt);
        }

        Assert.All(transitions, t =>
        {
            Assert.False(string.IsNullOrWhiteSpace(t.Reason));
            Assert.Equal(JsonValueKind.Object, t.Evidence.GetProperty("counts").ValueKind);
            Assert.True(t.Evidence.GetProperty("total").GetDouble() >= 0);
        });
        Assert.Contains("overloaded", transitions[0].Reason, StringComparison.Ordinal);
        Assert.True(transitions[0].Evidence.GetProperty("counts").GetProperty("overloaded").GetDouble() >= 3);
        Assert.True(transitions[^1].Evidence.GetProperty("counts").GetProperty("success").GetDouble() >= 2);

        // The filter is a filter: the healthy secondary has no transition of anthropic's, and unknown targets are 404.
        Assert.All(await OperationsReader.TransitionsAsync(http, Route.Secondary), t => Assert.Equal(Route.Secondary, t.Target));
        Assert.Contains(await OperationsReader.TransitionsAsync(http), t => t.Target == Route.Primary);
        using var unknown = await http.GetAsync(new Uri("api/transitions?target=nobody/none", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        // The breakers endpoint agrees with the table.
        using var breakers = JsonDocument.Parse(await http.GetStringAsync(new Uri("api/breakers", UriKind.Relative)));
        var primary = breakers.RootElement.EnumerateArray().Single(b => b.GetProperty("target").GetString() == Route.Primary);
        Assert.Equal("closed", primary.GetProperty("state").GetString());
        Assert.True(primary.GetProperty("tripCount").GetInt32() >= 1);
    }
}
