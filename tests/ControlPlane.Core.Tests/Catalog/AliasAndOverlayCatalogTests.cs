using ControlPlane.Contracts;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Tests.Catalog;

public sealed class AliasAndOverlayCatalogTests
{
    private static CatalogOptions Valid() => new()
    {
        Providers = SampleCatalogOptions.Providers(),
        Targets = SampleCatalogOptions.Targets(),
        Routes =
        [
            new()
            {
                Id = "chat-default",
                Aliases = ["claude-*", "gpt-4o*", "gpt-4o"],
                Tiers =
                [
                    new() { Targets = [new() { Target = "anthropic/claude-sonnet-4-5" }, new() { Target = "openai/gpt-4.1" }] },
                    new() { Targets = [new() { Target = "llama" }] },
                ],
            },
            new() { Id = "chat-cheap", Aliases = ["claude-3-5-haiku-*"], Tiers = [new() { Targets = [new() { Target = "llama" }] }] },
        ],
    };

    private static CatalogBuildResult Build(CatalogOptions options) => CatalogBuilder.Build(options, new SampleCatalogOptions.AllKeysSet());

    private static void AssertReported(CatalogBuildResult result, params string[] fragments)
    {
        Assert.False(result.Succeeded);
        var missing = fragments.Where(f => !result.Errors.Any(e => e.Contains(f, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"Not reported: {string.Join(" | ", missing)}\nReported:\n{string.Join("\n", result.Errors)}");
    }

    [Fact]
    public void Build_RouteAliases_AreKeptInCatalogOrder()
    {
        var result = Build(Valid());

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(["claude-*", "gpt-4o*", "gpt-4o"], result.Catalog!.Routes["chat-default"].Aliases);
        Assert.Empty(result.Catalog.Routes["chat-cheap"].Aliases.Except(["claude-3-5-haiku-*"]));
    }

    [Fact]
    public void Build_AliasProblems_AreAllListedAtOnce()
    {
        var options = Valid();
        options.Routes[0].Aliases = ["", "  ", "chat-cheap", "claude 4", "gpt-4o", "GPT-4O", "claude-*"];
        options.Routes[1].Aliases = ["gpt-4O", "Claude-*", "ok-name"];

        var result = Build(options);

        AssertReported(result,
            "Routes:0 ('chat-default'):Aliases:0: an alias must not be empty",
            "Routes:0 ('chat-default'):Aliases:1: an alias must not be empty",
            "Aliases:2: alias 'chat-cheap' is the id of route 'chat-cheap'",
            "Aliases:3: alias 'claude 4' may contain only",
            "Aliases:5: alias 'GPT-4O' is listed twice",
            "Routes:1 ('chat-cheap'):Aliases:0: alias 'gpt-4O' is already an alias of route 'chat-default'",
            "Routes:1 ('chat-cheap'):Aliases:1: pattern 'Claude-*' is already an alias of route 'chat-default'");
        Assert.DoesNotContain(result.Errors, e => e.Contains("ok-name", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_DifferentPatternsMatchingTheSameName_AreAllowed()
    {
        // "claude-3-5-haiku-x" matches both claude-* and claude-3-5-haiku-*: resolution picks the longer literal.
        Assert.True(Build(Valid()).Succeeded);
    }

    [Fact]
    public void Build_RouteEntryOverlay_OverridesTheTargetsFieldByField()
    {
        var options = Valid();
        options.Targets[1].Overlay = new()
        {
            SystemPrompt = new() { Mode = "Replace", Text = "You are GPT." },
            Defaults = new() { Temperature = 0.7, MaxTokens = 1000 },
            Clamps = new() { MaxTokens = 16384 },
            Remove = ["reasoning"],
            Headers = new() { ["X-Team"] = "search", ["OpenAI-Beta"] = "a" },
        };
        options.Routes[0].Tiers[0].Targets[1].Overlay = new()
        {
            SystemPrompt = new() { Text = "You are GPT, terse." },
            Clamps = new() { MaxTokens = 4096 },
            Headers = new() { ["openai-beta"] = "b" },
        };

        var result = Build(options);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var target = result.Catalog!.Targets[new TargetId("openai/gpt-4.1")].Overlay!;
        Assert.Equal(16384, target.Clamps!.MaxTokens);
        var effective = result.Catalog.Routes["chat-default"].Tiers[0].Targets[1].Overlay!;
        Assert.Equal(SystemPromptModes.Replace, effective.SystemPrompt!.Mode);
        Assert.Equal("You are GPT, terse.", effective.SystemPrompt.Text);
        Assert.Equal(700, effective.Defaults!.TemperatureMilli);
        Assert.Equal(1000, effective.Defaults.MaxTokens);
        Assert.Equal(4096, effective.Clamps!.MaxTokens);
        Assert.Equal([OverlayRemovals.Reasoning], effective.Remove);
        Assert.Equal(new Dictionary<string, string> { ["openai-beta"] = "b", ["x-team"] = "search" }, effective.Headers);
        Assert.Null(result.Catalog.Routes["chat-default"].Tiers[0].Targets[0].Overlay);
    }

    [Fact]
    public void Build_TargetOverlay_AppliesInEveryRouteWithoutAnEntryOverlay()
    {
        var options = Valid();
        options.Targets[2].Overlay = new() { Remove = ["TOP_K", "reasoning", "top_k"], Clamps = new() { MaxTokens = 4096, TemperatureMax = 0.8 } };

        var catalog = Build(options).Catalog!;

        var inDefault = catalog.Routes["chat-default"].Tiers[1].Targets[0].Overlay!;
        var inCheap = catalog.Routes["chat-cheap"].Tiers[0].Targets[0].Overlay!;
        Assert.Same(inDefault, inCheap);
        Assert.Equal([OverlayRemovals.TopK, OverlayRemovals.Reasoning], inDefault.Remove);
        Assert.Equal(800, inDefault.Clamps!.TemperatureMaxMilli);
        Assert.Null(inDefault.Clamps.TemperatureMinMilli);
    }

    [Fact]
    public void Build_OverlayThatChangesNothing_IsNull()
    {
        var options = Valid();
        options.Targets[0].Overlay = new() { Defaults = new(), Remove = [], Headers = [] };

        Assert.Null(Build(options).Catalog!.Targets[new TargetId("anthropic/claude-sonnet-4-5")].Overlay);
    }

    [Fact]
    public void Build_OverlayProblems_AreAllListedAtOnce()
    {
        var options = Valid();
        options.Targets[0].Overlay = new()
        {
            SystemPrompt = new() { Mode = "shout", Text = "hi" },
            Defaults = new() { MaxTokens = 0, Temperature = 2.5, TopP = 1.5, ReasoningEffort = "extreme" },
            Clamps = new() { MaxTokens = -1, TemperatureMin = 0.9, TemperatureMax = 0.5 },
            Remove = ["temperature", "seed"],
            Headers = new()
            {
                ["Authorization"] = "Bearer sk-secret-value",
                ["x-api-key"] = "sk-secret-value",
                ["Cookie"] = "a=b",
                ["Connection"] = "close",
                ["Host"] = "evil.example",
                ["x bad"] = "v",
                ["x-injected"] = "a\r\nx-evil: 1",
                ["x-my-secret"] = "v",
                ["42"] = "v",
            },
        };
        options.Targets[1].Overlay = new()
        {
            SystemPrompt = new() { Text = "no mode" },
            Defaults = new() { Temperature = 0.9, MaxTokens = 9000, TopP = 0.1234 },
            Clamps = new() { TemperatureMax = 0.8, MaxTokens = 8192 },
        };
        options.Targets[2].Overlay = new() { SystemPrompt = new() { Mode = "prepend", Text = " " } };

        var result = Build(options);

        AssertReported(result,
            "Targets:0 ('anthropic/claude-sonnet-4-5'): Overlay:SystemPrompt:Mode: unknown mode 'shout'",
            "Overlay:Defaults:MaxTokens must be at least 1 (was 0)",
            "Overlay:Defaults:Temperature must be between 0 and 2 (was 2.5)",
            "Overlay:Defaults:TopP must be between 0 and 1 (was 1.5)",
            "Overlay:Defaults:ReasoningEffort: unknown effort 'extreme'",
            "Overlay:Clamps:MaxTokens must be at least 1 (was -1)",
            "TemperatureMin (0.9) must not exceed TemperatureMax (0.5)",
            "Overlay:Remove:1: unknown parameter 'seed'",
            "header 'Authorization' is a credential or hop-by-hop header",
            "header 'x-api-key' is a credential or hop-by-hop header",
            "header 'Cookie' is a credential or hop-by-hop header",
            "header 'Connection' is a credential or hop-by-hop header",
            "header 'Host' is a credential or hop-by-hop header",
            "header 'x-my-secret' is a credential or hop-by-hop header",
            "'x bad' is not a valid header name",
            "x-injected: the value must be present and contain no CR, LF or NUL",
            "header name '42' must not be all digits",
            "Targets:1 ('openai/gpt-4.1'): Overlay:SystemPrompt: Text is set but Mode is not",
            "Overlay:Defaults:Temperature (0.9) is outside the clamps [0, 0.8]",
            "Overlay:Defaults:MaxTokens (9000) exceeds Clamps:MaxTokens (8192)",
            "Overlay:Defaults:TopP may have at most three decimal places (was 0.1234)",
            "Targets:2 ('llama'): Overlay:SystemPrompt:Text must not be empty");
        Assert.DoesNotContain(result.Errors, e => e.Contains("sk-secret-value", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_RouteEntryOverlay_IsValidatedOnItsOwnAndCombinedWithTheTargets()
    {
        var options = Valid();
        options.Targets[2].Overlay = new() { Clamps = new() { TemperatureMax = 0.8 } };
        options.Routes[0].Tiers[1].Targets[0].Overlay = new() { Defaults = new() { Temperature = 1.0 } };
        options.Routes[1].Tiers[0].Targets[0].Overlay = new() { Remove = ["nope"], Headers = new() { ["Proxy-Authorization"] = "x" } };

        var result = Build(options);

        AssertReported(result,
            "Routes:0 ('chat-default'):Tiers:1:Targets:0: Overlay (with the target's):Defaults:Temperature (1) is outside the clamps [0, 0.8]",
            "Routes:1 ('chat-cheap'):Tiers:0:Targets:0: Overlay:Remove:0: unknown parameter 'nope'",
            "Routes:1 ('chat-cheap'):Tiers:0:Targets:0: Overlay:Headers: header 'Proxy-Authorization' is a credential or hop-by-hop header");
        Assert.DoesNotContain(result.Errors, e => e.StartsWith("Catalog:Targets", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_TargetWithABadOverlay_IsReportedOnceNotAgainInEachRoute()
    {
        var options = Valid();
        options.Targets[2].Overlay = new() { Clamps = new() { TemperatureMin = 1, TemperatureMax = 0.5 } };
        options.Routes[0].Tiers[1].Targets[0].Overlay = new() { Clamps = new() { MaxTokens = 10 } };

        var result = Build(options);

        Assert.Single(result.Errors, e => e.Contains("must not exceed TemperatureMax", StringComparison.Ordinal));
    }
}
