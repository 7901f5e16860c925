using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;

namespace ControlPlane.Core.Tests.Catalog;

/// <summary>The catalog side of issue #15's error-class fallbacks: target context windows and the route's content-policy rule.</summary>
public sealed class ErrorFallbackCatalogTests
{
    private sealed class AllKeysSet : IKeySourceProbe
    {
        public bool EnvironmentVariableIsSet(string name) => true;

        public bool FileHasContent(string path) => true;
    }

    private static CatalogOptions Valid() => new()
    {
        Providers =
        [
            new() { Id = "openai", Kind = "openai", BaseUrl = "https://api.openai.com", ApiKeyEnv = "OPENAI_KEY" },
            new() { Id = "local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:11434" },
        ],
        Targets =
        [
            new() { Provider = "local", Model = "llama3.1:8b", ContextWindow = 8_192 },
            new() { Provider = "openai", Model = "gpt-4.1", ContextWindow = 1_047_576 },
        ],
        Routes =
        [
            new()
            {
                Id = "chat",
                Tiers = [new() { Targets = [new() { Target = "local/llama3.1:8b" }] }, new() { Targets = [new() { Target = "openai/gpt-4.1" }] }],
            },
        ],
    };

    private static CatalogBuildResult Build(CatalogOptions options) => CatalogBuilder.Build(options, new AllKeysSet());

    [Fact]
    public void Build_TargetContextWindow_IsKeptOnTheTarget()
    {
        var result = Build(Valid());

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(8_192, result.Catalog!.Targets[new TargetId("local/llama3.1:8b")].ContextWindow);
    }

    [Fact]
    public void Build_NonPositiveContextWindowAndUnknownContentPolicyRule_AreAllReported()
    {
        var options = Valid();
        options.Targets[0].ContextWindow = 0;
        options.Targets[1].ContextWindow = -5;
        options.Routes[0].OnContentPolicy = "retry";

        var result = Build(options);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Contains("Catalog:Targets:0", StringComparison.Ordinal) && e.Contains("ContextWindow must be a positive", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Catalog:Targets:1", StringComparison.Ordinal) && e.Contains("(was -5)", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("unknown OnContentPolicy 'retry'; expected return or next-target", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, ContentPolicyRules.Return)]
    [InlineData("return", ContentPolicyRules.Return)]
    [InlineData("Next-Target", ContentPolicyRules.NextTarget)]
    public void Build_OnContentPolicy_DefaultsToReturn(string? configured, string expected)
    {
        var options = Valid();
        options.Routes[0].OnContentPolicy = configured;

        var result = Build(options);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(expected, result.Catalog!.Routes["chat"].OnContentPolicy);
    }

    [Fact]
    public void RoutingTable_CarriesContextWindowAndRule_AsContent()
    {
        var options = Valid();
        var plain = Table(options);
        options.Routes[0].OnContentPolicy = "next-target";
        var withRule = Table(options);

        var target = plain.Routes[0].Tiers[0].Targets[0];
        Assert.Equal(8_192, target.ContextWindow);
        Assert.Contains("contextwindow|8192", plain.CanonicalContent, StringComparison.Ordinal);
        Assert.Equal(ContentPolicyRules.NextTarget, withRule.Routes[0].OnContentPolicy);
        Assert.NotEqual(plain.ContentHash, withRule.ContentHash); // a rule change alone still reaches the data planes
    }

    [Fact]
    public void RoutingTable_WithoutWindowsOrRule_KeepsItsCanonicalText()
    {
        var options = Valid();
        options.Targets.ForEach(t => t.ContextWindow = null);

        var table = Table(options);

        Assert.DoesNotContain("contextwindow|", table.CanonicalContent, StringComparison.Ordinal);
        Assert.DoesNotContain("contentpolicy|", table.CanonicalContent, StringComparison.Ordinal);
    }

    private static ComputedRoutingTable Table(CatalogOptions options)
    {
        var result = Build(options);
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return RoutingTableBuilder.Build(result.Catalog!, new Dictionary<TargetId, BreakerSnapshot>(), [], DateTimeOffset.UnixEpoch);
    }
}
