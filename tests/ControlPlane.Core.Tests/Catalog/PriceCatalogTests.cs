using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Tests.Catalog;

public sealed class PriceCatalogTests
{
    private static CatalogOptions With(params PriceOptions?[] prices)
    {
        var targets = SampleCatalogOptions.Targets();
        for (var i = 0; i < prices.Length; i++)
        {
            targets[i].Price = prices[i];
        }

        return new CatalogOptions { Providers = SampleCatalogOptions.Providers(), Targets = targets };
    }

    [Fact]
    public void Build_TargetWithPrice_CarriesItOnTheDefinition()
    {
        var result = CatalogBuilder.Build(With(new PriceOptions { InputPerMillion = 3m, OutputPerMillion = 15m }), new SampleCatalogOptions.AllKeysSet());

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(new TokenPrice(3m, 15m), result.Catalog!.Targets[TargetId.For("anthropic", "claude-sonnet-4-5")].Price);
        Assert.Null(result.Catalog.Targets[TargetId.For("openai", "gpt-4.1")].Price);
    }

    [Fact]
    public void Build_FreePrice_IsAccepted()
    {
        // A local model costs nothing per token; zero is a real price, not a missing one.
        var result = CatalogBuilder.Build(With(null, null, new PriceOptions { InputPerMillion = 0m, OutputPerMillion = 0m }), new SampleCatalogOptions.AllKeysSet());

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(new TokenPrice(0m, 0m), result.Catalog!.Targets[new TargetId("llama")].Price);
    }

    [Fact]
    public void Build_HalfGivenAndNegativePrices_ListsEveryProblem()
    {
        var result = CatalogBuilder.Build(
            With(
                new PriceOptions { InputPerMillion = 3m },
                new PriceOptions { InputPerMillion = -1m, OutputPerMillion = -0.5m },
                new PriceOptions()),
            new SampleCatalogOptions.AllKeysSet());

        Assert.False(result.Succeeded);
        string[] expected =
        [
            "Catalog:Targets:0 ('anthropic/claude-sonnet-4-5'): Price: OutputPerMillion is required",
            "Catalog:Targets:1 ('openai/gpt-4.1'): Price: InputPerMillion must be zero or more (was -1)",
            "Catalog:Targets:1 ('openai/gpt-4.1'): Price: OutputPerMillion must be zero or more (was -0.5)",
            "Catalog:Targets:2 ('llama'): Price: InputPerMillion is required",
            "Catalog:Targets:2 ('llama'): Price: OutputPerMillion is required",
        ];
        var missing = expected.Where(fragment => !result.Errors.Any(e => e.Contains(fragment, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"Not reported: {string.Join(" | ", missing)}\nReported: {string.Join("\n", result.Errors)}");
    }
}
