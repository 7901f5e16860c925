using ControlPlane.Core.Alerts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using Xunit;

namespace ControlPlane.Core.Tests.Alerts;

public sealed class AlertConditionsTests
{
    private static readonly ProviderCatalog Catalog = Catalogs.Build(
        [("chat", [[("anthropic/sonnet", 1)], [("openai/gpt", 1)]], PanicPolicy.FailOpen)],
        ["anthropic/haiku", "anthropic/opus"]);

    private static readonly TargetId Sonnet = new("anthropic/sonnet");
    private static readonly TargetId Haiku = new("anthropic/haiku");
    private static readonly TargetId Gpt = new("openai/gpt");

    [Fact]
    public void OpenTargets_AndAProviderIncident_AreBothReported_TheTargetGroupedUnderTheIncident()
    {
        var keys = Conditions(states: new() { [Sonnet] = CircuitState.Open, [Haiku] = CircuitState.HalfOpen });

        Assert.Contains("anthropic:*:incident", keys.Select(c => c.Key));
        var open = Assert.Single(keys, c => c.Key == "anthropic:sonnet:open");
        Assert.Equal("anthropic:*:incident", open.GroupKey);
        Assert.DoesNotContain(keys, c => c.Key.StartsWith("openai", StringComparison.Ordinal));
    }

    [Fact]
    public void Signals_BecomeMisconfigurationAndQuotaAlerts()
    {
        var keys = Conditions(signals: new()
        {
            [Gpt] = [new BreakerSignal(BreakerSignalKind.Misconfiguration, "3 auth failures"), new BreakerSignal(BreakerSignalKind.QuotaExhausted, "2 quota")],
        }).Select(c => c.Key).ToList();

        Assert.Equal(["openai:gpt:misconfiguration", "openai:gpt:quota"], keys);
    }

    [Fact]
    public void NoSampleForMoreThanThreeIntervals_IsProbesStalled()
    {
        // Probe interval 10 s: 31 s of silence is stalled, 29 s is not; a new leader waits three intervals from its start.
        var now = TestData.T0 + TimeSpan.FromMinutes(5);
        var samples = new Dictionary<TargetId, DateTimeOffset>
        {
            [Sonnet] = now - TimeSpan.FromSeconds(31),
            [Gpt] = now - TimeSpan.FromSeconds(29),
            [Haiku] = now,
            [new TargetId("anthropic/opus")] = now,
        };

        var stalled = Conditions(samples: samples, now: now).Where(c => c.Kind == AlertKind.ProbesStalled).Select(c => c.Key);
        var fresh = Conditions(samples: new(), now: TestData.T0 + TimeSpan.FromSeconds(29), since: TestData.T0);

        Assert.Equal(["anthropic:sonnet:probes-stalled"], stalled);
        Assert.DoesNotContain(fresh, c => c.Kind == AlertKind.ProbesStalled);
    }

    [Fact]
    public void OpenBreaker_IsNotProbesStalled_AndTheClockRestartsWhenTheTrialBegins()
    {
        // Probing pauses while the breaker is open; the half-open trial entered 5 s ago has not had three intervals yet.
        var now = TestData.T0 + TimeSpan.FromMinutes(5);
        var samples = Catalog.Targets.Keys.ToDictionary(t => t, _ => now - TimeSpan.FromMinutes(2));
        var conditions = AlertConditions.From(new AlertInputs(
            Catalog,
            new Dictionary<TargetId, CircuitState> { [Sonnet] = CircuitState.Open, [Haiku] = CircuitState.HalfOpen },
            new Dictionary<TargetId, IReadOnlyList<BreakerSignal>>(),
            samples,
            TestData.T0,
            null,
            [],
            now,
            new Dictionary<TargetId, DateTimeOffset> { [Sonnet] = now - TimeSpan.FromMinutes(2), [Haiku] = now - TimeSpan.FromSeconds(5) }));

        var stalled = conditions.Where(c => c.Kind == AlertKind.ProbesStalled).Select(c => c.Key).Order(StringComparer.Ordinal);

        Assert.Equal(["anthropic:opus:probes-stalled", "openai:gpt:probes-stalled"], stalled);
        Assert.All(conditions.Where(c => c.Kind == AlertKind.ProbesStalled && c.ProviderId == "anthropic"), c => Assert.Equal("anthropic:*:incident", c.GroupKey));
    }

    [Fact]
    public void RouteInPanic_IsAPanicAlert()
    {
        var table = new ComputedRoutingTable(TestData.T0, [new ComputedRoute("chat", PanicPolicy.FailOpen, [], null, [], true, "no eligible target", null, null)]);

        var panic = Assert.Single(Conditions(table: table), c => c.Kind == AlertKind.RoutePanic);

        Assert.Equal(("route:chat:panic", "chat"), (panic.Key, panic.RouteId));
    }

    [Fact]
    public void SubscribersHoldingAnUnknownTable_RaiseOneCriticalFleetAlert()
    {
        var samples = Catalog.Targets.Keys.ToDictionary(t => t, _ => TestData.T0);
        var inputs = new AlertInputs(
            Catalog, new Dictionary<TargetId, CircuitState>(), new Dictionary<TargetId, IReadOnlyList<BreakerSignal>>(), samples,
            TestData.T0 - TimeSpan.FromHours(1), null, [], TestData.T0,
            UnknownTables: [("gw-2", "version 42 was never committed"), ("gw-1", "version 42 was never committed")]);

        var alert = Assert.Single(AlertConditions.From(inputs));

        Assert.Equal((AlertKeys.UnknownTable, AlertKind.UnknownTable, AlertSeverity.Critical), (alert.Key, alert.Kind, alert.Severity));
        Assert.Contains("unknown table in the fleet", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("2 subscriber(s)", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("gw-1", alert.Summary, StringComparison.Ordinal);
    }

    private static IReadOnlyList<AlertCondition> Conditions(
        Dictionary<TargetId, CircuitState>? states = null,
        Dictionary<TargetId, IReadOnlyList<BreakerSignal>>? signals = null,
        Dictionary<TargetId, DateTimeOffset>? samples = null,
        ComputedRoutingTable? table = null,
        DateTimeOffset? now = null,
        DateTimeOffset? since = null)
    {
        var at = now ?? TestData.T0;
        samples ??= Catalog.Targets.Keys.ToDictionary(t => t, _ => at);
        return AlertConditions.From(new AlertInputs(Catalog, states ?? [], signals ?? [], samples, since ?? TestData.T0 - TimeSpan.FromHours(1), table, [], at));
    }
}
