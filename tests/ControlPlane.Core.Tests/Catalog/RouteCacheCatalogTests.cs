using ControlPlane.Contracts;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Tests.Catalog;

public sealed class RouteCacheCatalogTests
{
    private sealed class AllKeysSet : IKeySourceProbe
    {
        public bool EnvironmentVariableIsSet(string name) => true;

        public bool FileHasContent(string path) => true;
    }

    private static CatalogOptions With(params RouteCacheOptions?[] caches) => new()
    {
        Providers = [new() { Id = "local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:11434" }],
        Targets = [new() { Id = "llama", Provider = "local", Model = "llama3.1:8b" }],
        Routes = caches.Select((cache, i) => new RouteOptions
        {
            Id = $"r{i}",
            Tiers = [new() { Targets = [new() { Target = "llama" }] }],
            Cache = cache,
        }).ToList(),
    };

    private static CatalogBuildResult Build(CatalogOptions options) => CatalogBuilder.Build(options, new AllKeysSet());

    [Fact]
    public void Build_ARouteWithoutCache_HasNone()
    {
        var result = Build(With((RouteCacheOptions?)null));

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Null(result.Catalog!.Routes["r0"].Cache);
    }

    [Fact]
    public void Build_ACache_IsCarriedWithItsTtlInMilliseconds()
    {
        var result = Build(With(new RouteCacheOptions { Mode = "Always", Ttl = TimeSpan.FromSeconds(90), AllowTemperature = true, ShareAcrossKeys = true }));

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(
            new RouteCache { Mode = CacheModes.Always, TtlMs = 90_000, AllowTemperature = true, ShareAcrossKeys = true },
            result.Catalog!.Routes["r0"].Cache);
    }

    [Fact]
    public void Build_ACacheWithoutTtl_KeepsAnswersFiveMinutes_AndNeitherSamplesNorShares()
    {
        var result = Build(With(new RouteCacheOptions { Mode = "stale-if-error" }));

        Assert.Equal(
            new RouteCache { Mode = CacheModes.StaleIfError, TtlMs = 300_000, AllowTemperature = false, ShareAcrossKeys = false },
            result.Catalog!.Routes["r0"].Cache);
    }

    [Fact]
    public void Build_BadCaches_AreAllReportedAtOnce()
    {
        var result = Build(With(
            new RouteCacheOptions { Mode = "sometimes" },
            new RouteCacheOptions { Ttl = TimeSpan.Zero },
            new RouteCacheOptions { Mode = "always", Ttl = TimeSpan.FromDays(30) }));

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Contains("Routes:0 ('r0'):Cache:Mode: unknown cache mode 'sometimes'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Routes:1 ('r1'):Cache:Mode is required", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Routes:1 ('r1'):Cache:Ttl must be at least one millisecond", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Routes:2 ('r2'):Cache:Ttl must not exceed 7 days", StringComparison.Ordinal));
    }
}
