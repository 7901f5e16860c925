using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using ControlPlane.Core.Tests.Catalog;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Routing;

/// <summary>A fleet-wide concurrency ceiling rides in the table with the number of gateways that share it.</summary>
public sealed class FleetConcurrencyRoutingTests
{
    private static ProviderCatalog Catalog(int? maxConcurrency)
    {
        var targets = SampleCatalogOptions.Targets();
        targets[0].MaxConcurrency = maxConcurrency;
        var result = CatalogBuilder.Build(new CatalogOptions
        {
            Providers = SampleCatalogOptions.Providers(),
            Targets = targets,
            Routes = [new() { Id = "chat", Tiers = [new() { Targets = [new() { Target = "anthropic/claude-sonnet-4-5" }, new() { Target = "llama" }] }] }],
        }, new SampleCatalogOptions.AllKeysSet());
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Catalog!;
    }

    private static ComputedRoutingTable Build(ProviderCatalog catalog, int gateways) =>
        RoutingTableBuilder.Build(catalog, new Dictionary<TargetId, BreakerSnapshot>(), [], T0, pausedUntil: null, reportingGateways: gateways);

    [Fact]
    public void CappedTarget_CarriesItsCeiling_AndTheTableTheGatewayCount()
    {
        var table = Build(Catalog(maxConcurrency: 120), gateways: 3);

        Assert.Equal(3, table.ReportingGateways);
        var targets = table.Route("chat")!.Tiers[0].Targets;
        Assert.Equal(120, targets.Single(t => t.Target.Value == "anthropic/claude-sonnet-4-5").MaxConcurrency);
        Assert.Null(targets.Single(t => t.Target.Value == "llama").MaxConcurrency);
    }

    [Fact]
    public void GatewayCount_IsContent_OnlyWhenSomeTargetIsCapped()
    {
        var capped = Catalog(maxConcurrency: 120);
        Assert.False(Build(capped, 2).ContentEquals(Build(capped, 3)));

        var uncapped = Catalog(maxConcurrency: null);
        Assert.Null(Build(uncapped, 3).ReportingGateways);
        Assert.True(Build(uncapped, 2).ContentEquals(Build(uncapped, 3)));
        Assert.DoesNotContain("gateways|", Build(uncapped, 3).CanonicalContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NonPositiveMaxConcurrency_IsReported()
    {
        var targets = SampleCatalogOptions.Targets();
        targets[1].MaxConcurrency = 0;
        var result = CatalogBuilder.Build(new CatalogOptions
        {
            Providers = SampleCatalogOptions.Providers(),
            Targets = targets,
            Routes = [new() { Id = "chat", Tiers = [new() { Targets = [new() { Target = "openai/gpt-4.1" }] }] }],
        }, new SampleCatalogOptions.AllKeysSet());

        Assert.Contains(result.Errors, e => e.Contains("MaxConcurrency must be at least 1 when set (was 0)", StringComparison.Ordinal));
    }
}
