using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Overrides;
using ControlPlane.Core.Routing;
using ControlPlane.Service.Routing;

namespace ControlPlane.Service.Tests.Routing;

public sealed class RoutingTableMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly TargetId Primary = new("a/m");
    private static readonly TargetId Secondary = new("b/m");


    private static ProviderCatalog Catalog(string panicPolicy = "fail-open") => CatalogBuilder.Build(new CatalogOptions
    {
        Providers =
        [
            new() { Id = "a", Kind = "anthropic", BaseUrl = "https://a.example", ApiKeyEnv = "A" },
            new() { Id = "b", Kind = "openai", BaseUrl = "https://b.example", ApiKeyEnv = "B" },
        ],
        Targets = [new() { Provider = "a", Model = "m" }, new() { Provider = "b", Model = "m" }],
        Routes =
        [
            new()
            {
                Id = "chat",
                PanicPolicy = panicPolicy,
                Tiers = [new() { Targets = [new() { Target = "a/m", Weight = 2 }] }, new() { Targets = [new() { Target = "b/m" }] }],
            },
        ],
    }, AllKeysSet.Instance).Catalog!;

    private static BreakerSnapshot Snapshot(CircuitState state) => new(state, state == CircuitState.Open ? 0 : 1, null, 0);

    private static RouteEntry Map(ProviderCatalog catalog, CircuitState primary, CircuitState secondary, IReadOnlyList<Override>? overrides = null)
    {
        var table = RoutingTableBuilder.Build(
            catalog,
            new Dictionary<TargetId, BreakerSnapshot> { [Primary] = Snapshot(primary), [Secondary] = Snapshot(secondary) },
            overrides ?? [],
            Now);
        return Assert.Single(RoutingTableMapper.ToContract(table, catalog).Routes);
    }

    [Fact]
    public void Healthy_FirstTierIsActive_WithScaledIntegerWeightsAndNoKeysOrUrls()
    {
        var route = Map(Catalog(), CircuitState.Closed, CircuitState.Closed);

        Assert.Equal(0, route.ActiveTier);
        Assert.False(route.Panic);
        Assert.Null(route.PinnedTarget);
        var primary = route.Tiers[0].Targets[0];
        Assert.Equal(("a/m", "a", "m", 200, true, TargetStates.Closed), (primary.Target, primary.Provider, primary.Model, primary.Weight, primary.Eligible, primary.State));
        var json = System.Text.Encoding.UTF8.GetString(ContractsJson.Serialize(new RoutingTableChanged
        {
            Version = 1, IssuedAt = Now, Table = new RoutingTable { Routes = [route] }, Changes = [], KeyId = "k", Signature = "",
        }));
        Assert.DoesNotContain("example", json, StringComparison.Ordinal);
    }

    [Fact]
    public void PrimaryOpen_SecondTierIsActive_AndThePrimaryCarriesNoWeight()
    {
        var route = Map(Catalog(), CircuitState.Open, CircuitState.Closed);

        Assert.Equal(1, route.ActiveTier);
        var primary = route.Tiers[0].Targets[0];
        Assert.Equal((0, false, TargetStates.Open), (primary.Weight, primary.Eligible, primary.State));
        Assert.True(route.Tiers[1].Targets[0].Eligible);
    }

    [Fact]
    public void EveryTargetOpen_FailOpen_PublishesThePanicPickAsPinnedTargetWithNoActiveTier()
    {
        var route = Map(Catalog(), CircuitState.Open, CircuitState.Open);

        Assert.True(route.Panic);
        Assert.Null(route.ActiveTier);
        Assert.NotNull(route.PanicReason);
        Assert.Contains(route.PinnedTarget, new[] { "a/m", "b/m" });
    }

    [Fact]
    public void EveryTargetOpen_FailClosed_PublishesNoTarget()
    {
        var route = Map(Catalog("fail-closed"), CircuitState.Open, CircuitState.Open);

        Assert.True(route.Panic);
        Assert.Null(route.PinnedTarget);
        Assert.All(route.Tiers.SelectMany(t => t.Targets), t => Assert.False(t.Eligible));
    }

    [Fact]
    public void OperatorPin_IsPublishedWithItsTier()
    {
        var pin = new PinRoute("p1", "alice", "testing b", Now.AddMinutes(-1), Now.AddMinutes(10), "chat", Secondary);

        var route = Map(Catalog(), CircuitState.Closed, CircuitState.Closed, [pin]);

        Assert.Equal("b/m", route.PinnedTarget);
        Assert.Equal(1, route.ActiveTier);
        Assert.False(route.Panic);
    }
}
