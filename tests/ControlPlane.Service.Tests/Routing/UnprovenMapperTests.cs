using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using ControlPlane.Service.Routing;

namespace ControlPlane.Service.Tests.Routing;

/// <summary>The table's <c>unproven</c> field: true on an unproven target, absent (null) on every other.</summary>
public sealed class UnprovenMapperTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);


    private static readonly ProviderCatalog Catalog = CatalogBuilder.Build(new CatalogOptions
    {
        Providers =
        [
            new() { Id = "a", Kind = "anthropic", BaseUrl = "https://a.example", ApiKeyEnv = "A" },
            new() { Id = "b", Kind = "openai", BaseUrl = "https://b.example", ApiKeyEnv = "B" },
        ],
        Targets = [new() { Provider = "a", Model = "m" }, new() { Provider = "b", Model = "m" }],
        Routes = [new() { Id = "chat", Tiers = [new() { Targets = [new() { Target = "a/m" }] }, new() { Targets = [new() { Target = "b/m" }] }] }],
    }, AllKeysSet.Instance).Catalog!;

    [Fact]
    public void ToContract_UnprovenPrimary_IsFlaggedNotEligibleAndTheSecondaryIsActive()
    {
        var table = RoutingTableBuilder.Build(
            Catalog,
            new Dictionary<TargetId, BreakerSnapshot> { [new("a/m")] = BreakerSnapshot.Healthy with { Unproven = true } },
            [],
            Now);

        var route = Assert.Single(RoutingTableMapper.ToContract(table, Catalog).Routes);
        var primary = route.Tiers[0].Targets.Single();
        var secondary = route.Tiers[1].Targets.Single();

        Assert.True(primary.Unproven);
        Assert.False(primary.Eligible);
        Assert.Equal(0, primary.Weight);
        Assert.Equal("closed", primary.State);
        Assert.Null(secondary.Unproven);
        Assert.Equal(1, route.ActiveTier);
    }

    [Fact]
    public void ToContract_NoUnprovenTarget_LeavesTheFieldNull()
    {
        var table = RoutingTableBuilder.Build(Catalog, new Dictionary<TargetId, BreakerSnapshot>(), [], Now);

        var route = Assert.Single(RoutingTableMapper.ToContract(table, Catalog).Routes);

        Assert.All(route.Tiers.SelectMany(t => t.Targets), t => Assert.Null(t.Unproven));
    }
}
