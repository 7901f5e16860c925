using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Routing;

public sealed class RouteCacheRoutingTests
{
    private static readonly RouteCache Cache = new() { Mode = CacheModes.StaleIfError, TtlMs = 60_000, AllowTemperature = false, ShareAcrossKeys = false };

    private static ProviderCatalog CatalogWith(RouteCache? cache) => new(
        RoutingFixture.Catalog.Providers.Values,
        RoutingFixture.Catalog.Targets.Values,
        RoutingFixture.Catalog.Routes.Values.Select(r => r.Id != "chat-default" ? r : r with { Cache = cache }));

    private static ComputedRoutingTable Table(ProviderCatalog catalog, Dictionary<TargetId, BreakerSnapshot>? breakers = null) =>
        RoutingTableBuilder.Build(catalog, breakers ?? [], [], T0);

    [Fact]
    public void Build_CarriesTheRoutesCache_AlsoInPanic()
    {
        Assert.Same(Cache, Table(CatalogWith(Cache)).Get().Cache);
        Assert.Null(Table(CatalogWith(Cache)).Get("strict").Cache);

        var panic = Table(CatalogWith(Cache), new() { [Sonnet] = Open(), [Gpt] = Open(), [Flash] = Open() }).Get();
        Assert.True(panic.Panic);
        Assert.Same(Cache, panic.Cache); // every target down is exactly when stale-if-error serves
    }

    [Fact]
    public void Content_ChangesWhenOnlyTheCacheChanges()
    {
        var baseline = Table(CatalogWith(Cache));

        Assert.False(baseline.ContentEquals(Table(CatalogWith(null))));
        Assert.False(baseline.ContentEquals(Table(CatalogWith(Cache with { TtlMs = 30_000 }))));
        Assert.False(baseline.ContentEquals(Table(CatalogWith(Cache with { Mode = CacheModes.Always }))));
        Assert.False(baseline.ContentEquals(Table(CatalogWith(Cache with { ShareAcrossKeys = true }))));
        Assert.True(baseline.ContentEquals(Table(CatalogWith(Cache with { }))));
    }

    [Fact]
    public void Content_WithoutACache_IsUnchangedByTheFeature()
    {
        // Upgrading the control plane must not publish a new version for a catalog that caches nothing.
        Assert.DoesNotContain("cache|", Table(CatalogWith(null)).CanonicalContent, StringComparison.Ordinal);
    }
}
