using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;
using Microsoft.Extensions.Time.Testing;
using static ControlPlane.Client.Tests.Support.TestTables;

namespace ControlPlane.Client.Tests.Routing;

/// <summary>What a data plane needs for issue #15's error-class fallbacks reaches it on every selection.</summary>
public sealed class RouteSelectorErrorFallbackTests : IDisposable
{
    private readonly TestTables _tables = new();
    private readonly RoutingTableStore _store;

    public RouteSelectorErrorFallbackTests() => _store = new RoutingTableStore(_tables.Verifier(), new FakeTimeProvider());

    public void Dispose() => _tables.Dispose();

    [Fact]
    public void SelectOrder_CarriesEachTargetsContextWindowAndTheRoutesContentPolicyRule()
    {
        var route = Route("r", 0, Tier(Target("a/small", 100) with { ContextWindow = 8_192 }), Tier(Target("b/large", 100) with { ContextWindow = 200_000 }, Target("c/unknown", 100)))
            with { OnContentPolicy = ContentPolicyRules.NextTarget };
        _store.Offer(_tables.Json(1, Table(route)), TableSource.Broker);

        var order = new RouteSelector(_store, new Random(1)).SelectOrder("r");

        Assert.Equal(8_192, order.Single(t => t.Target == "a/small").ContextWindow);
        Assert.Equal(200_000, order.Single(t => t.Target == "b/large").ContextWindow);
        Assert.Null(order.Single(t => t.Target == "c/unknown").ContextWindow);
        Assert.All(order, t => Assert.Equal(ContentPolicyRules.NextTarget, t.OnContentPolicy));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("some-future-rule")] // enums are open for readers: an unknown rule is the default
    public void Select_NoOrUnknownRule_IsReturn(string? rule)
    {
        _store.Offer(_tables.Json(1, Table(Route("r", 0, Tier(Target("a/x", 100))) with { OnContentPolicy = rule })), TableSource.Broker);

        Assert.Equal(ContentPolicyRules.Return, new RouteSelector(_store, new Random(1)).Select("r").OnContentPolicy);
    }
}
