using ControlPlane.Contracts;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using ControlPlane.Service.Routing;

namespace ControlPlane.Service.Tests.Routing;

public sealed class RouteCacheMapperTests
{

    private static RouteEntry Map(RouteCacheOptions? cache)
    {
        var catalog = CatalogBuilder.Build(new CatalogOptions
        {
            Providers = [new() { Id = "a", Kind = "anthropic", BaseUrl = "https://a.example", ApiKeyEnv = "A" }],
            Targets = [new() { Provider = "a", Model = "m" }],
            Routes = [new() { Id = "chat", Tiers = [new() { Targets = [new() { Target = "a/m" }] }], Cache = cache }],
        }, AllKeysSet.Instance).Catalog!;
        var table = RoutingTableBuilder.Build(catalog, new Dictionary<TargetId, Core.Breakers.BreakerSnapshot>(), [], DateTimeOffset.UnixEpoch);
        return Assert.Single(RoutingTableMapper.ToContract(table, catalog).Routes);
    }

    [Fact]
    public void ARoutesCache_GoesOnItsTableEntry()
    {
        var route = Map(new RouteCacheOptions { Mode = "stale-if-error", Ttl = TimeSpan.FromMinutes(10) });

        Assert.Equal(new RouteCache { Mode = CacheModes.StaleIfError, TtlMs = 600_000, AllowTemperature = false, ShareAcrossKeys = false }, route.Cache);
    }

    [Fact]
    public void ARouteWithoutCache_HasNoneOnItsEntry() => Assert.Null(Map(null).Cache);
}
