using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Routing;

public sealed class AliasAndOverlayRoutingTests
{
    private static readonly TargetOverlay GptOverlay = new()
    {
        SystemPrompt = new SystemPromptOverlay { Mode = SystemPromptModes.Replace, Text = "You are GPT." },
        Clamps = new OverlayClamps { MaxTokens = 16384 },
        Remove = [OverlayRemovals.Reasoning],
    };

    private static ProviderCatalog CatalogWith(IReadOnlyList<string> aliases, TargetOverlay? gptOverlay) => new(
        RoutingFixture.Catalog.Providers.Values,
        RoutingFixture.Catalog.Targets.Values,
        RoutingFixture.Catalog.Routes.Values.Select(r => r.Id != "chat-default" ? r : r with
        {
            Aliases = aliases,
            Tiers = r.Tiers.Select(t => new RouteTier(t.Targets.Select(w => w.Target == Gpt ? w with { Overlay = gptOverlay } : w).ToList())).ToList(),
        }));

    private static ComputedRoutingTable Table(ProviderCatalog catalog, Dictionary<TargetId, BreakerSnapshot>? breakers = null) =>
        RoutingTableBuilder.Build(catalog, breakers ?? [], [], T0);

    [Fact]
    public void Build_CarriesTheRoutesAliasesAndEachEntrysOverlay()
    {
        var table = Table(CatalogWith(["claude-*", "gpt-4o"], GptOverlay));

        var route = table.Get();
        Assert.Equal(["claude-*", "gpt-4o"], route.Aliases);
        Assert.Same(GptOverlay, route.Tiers[0].Targets.Single(t => t.Target == Gpt).Overlay);
        Assert.Null(route.Tiers[0].Targets.Single(t => t.Target == Sonnet).Overlay);
        Assert.Empty(table.Get("strict").Aliases);
        Assert.Null(table.Get("strict").Tiers[0].Targets[0].Overlay); // gpt-4o's overlay is chat-default's entry only
    }

    [Fact]
    public void Build_InPanic_StillCarriesAliasesAndOverlays()
    {
        var table = Table(CatalogWith(["gpt-4o"], GptOverlay), new() { [Sonnet] = Open(), [Gpt] = Open(), [Flash] = Open() });

        var route = table.Get();
        Assert.True(route.Panic);
        Assert.Equal(["gpt-4o"], route.Aliases);
        Assert.Same(GptOverlay, route.Tiers[0].Targets.Single(t => t.Target == Gpt).Overlay);
    }

    [Fact]
    public void Content_ChangesWhenOnlyAliasesOrOnlyAnOverlayChange()
    {
        var baseline = Table(CatalogWith(["gpt-4o"], GptOverlay));

        Assert.False(baseline.ContentEquals(Table(CatalogWith(["gpt-4o", "claude-*"], GptOverlay))));
        Assert.False(baseline.ContentEquals(Table(CatalogWith(["gpt-4o"], GptOverlay with { Clamps = new OverlayClamps { MaxTokens = 8192 } }))));
        Assert.False(baseline.ContentEquals(Table(CatalogWith(["gpt-4o"], null))));
    }

    [Fact]
    public void Content_IsEqualForEqualOverlaysBuiltSeparately()
    {
        var copy = GptOverlay with { Remove = [OverlayRemovals.Reasoning], SystemPrompt = GptOverlay.SystemPrompt! with { } };

        var first = Table(CatalogWith(["gpt-4o"], GptOverlay));
        var second = Table(CatalogWith(["gpt-4o"], copy));

        Assert.True(first.ContentEquals(second));
        Assert.Equal(first.ContentHash, second.ContentHash);
    }

    [Fact]
    public void Content_WithoutAliasesOrOverlays_IsUnchangedByTheFeature()
    {
        // Upgrading the control plane must not publish a new version for a catalog that uses neither.
        var table = Table(CatalogWith([], null));

        Assert.DoesNotContain("aliases|", table.CanonicalContent, StringComparison.Ordinal);
        Assert.DoesNotContain("overlay|", table.CanonicalContent, StringComparison.Ordinal);
    }
}
