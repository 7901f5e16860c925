using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Tests.Catalog;

public sealed class CatalogBuilderTests
{
    private sealed class FakeKeys(params string[] present) : IKeySourceProbe
    {
        public bool EnvironmentVariableIsSet(string name) => present.Contains(name);

        public bool FileHasContent(string path) => present.Contains(path);
    }

    private static CatalogOptions Valid() => new()
    {
        Providers =
        [
            new() { Id = "anthropic", Kind = "anthropic", BaseUrl = "https://api.anthropic.com", ApiKeyEnv = "ANTHROPIC_KEY" },
            new() { Id = "openai", Kind = "openai", BaseUrl = "https://api.openai.com", ApiKeyFile = "/run/secrets/openai" },
            new() { Id = "local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:11434" },
        ],
        Targets =
        [
            new() { Provider = "anthropic", Model = "claude-sonnet-4-5" },
            new() { Provider = "openai", Model = "gpt-4.1-mini", Probe = new() { Interval = TimeSpan.FromSeconds(30), Mode = "models" } },
            new() { Id = "llama", Provider = "local", Model = "llama3.1:8b" },
        ],
        Routes =
        [
            new()
            {
                Id = "chat-default",
                Tiers =
                [
                    new() { Targets = [new() { Target = "anthropic/claude-sonnet-4-5", Weight = 3 }, new() { Target = "openai/gpt-4.1-mini" }] },
                    new() { Targets = [new() { Target = "llama" }] },
                ],
            },
        ],
    };

    private static readonly FakeKeys AllKeys = new("ANTHROPIC_KEY", "/run/secrets/openai");

    [Fact]
    public void Build_ValidCatalog_CompilesProvidersTargetsAndRoutes()
    {
        var result = CatalogBuilder.Build(Valid(), AllKeys);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        var catalog = result.Catalog!;
        Assert.Equal(3, catalog.Providers.Count);
        Assert.Equal(ProviderKind.OpenAICompatible, catalog.Providers["local"].Kind);
        Assert.Null(catalog.Providers["local"].ApiKey);
        Assert.Equal("ANTHROPIC_KEY", catalog.Providers["anthropic"].ApiKey!.EnvironmentVariable);

        var sonnet = catalog.Targets[new TargetId("anthropic/claude-sonnet-4-5")];
        Assert.Equal(CatalogBuilder.DefaultProbe.Interval, sonnet.Probe.Interval);
        var gpt = catalog.Targets[new TargetId("openai/gpt-4.1-mini")];
        Assert.Equal(TimeSpan.FromSeconds(30), gpt.Probe.Interval);
        Assert.Equal(ProbeMode.Models, gpt.Probe.Mode);
        Assert.True(catalog.Targets.ContainsKey(new TargetId("llama")));

        var route = catalog.Routes["chat-default"];
        Assert.Equal(PanicPolicy.FailOpen, route.PanicPolicy);
        Assert.Equal(2, route.Tiers.Count);
        Assert.Equal(3, route.Tiers[0].Targets[0].Weight);
    }

    [Fact]
    public void Build_ProbeSettings_LayerTargetOverProviderOverDefaults()
    {
        var options = Valid();
        options.Probe = new() { Timeout = TimeSpan.FromSeconds(4), Prompt = "hi", Headers = new() { ["x-a"] = "default" } };
        options.Providers[0].Probe = new() { Timeout = TimeSpan.FromSeconds(6), Headers = new() { ["x-a"] = "provider", ["x-b"] = "provider" } };
        options.Targets[0].Probe = new() { MaxTokens = 5, Headers = new() { ["x-b"] = "target" } };

        var probe = CatalogBuilder.Build(options, AllKeys).Catalog!.Targets[new TargetId("anthropic/claude-sonnet-4-5")].Probe;

        Assert.Equal(TimeSpan.FromSeconds(6), probe.Timeout);
        Assert.Equal("hi", probe.Prompt);
        Assert.Equal(5, probe.MaxTokens);
        Assert.Equal("provider", probe.Headers["x-a"]);
        Assert.Equal("target", probe.Headers["x-b"]);
    }

    [Fact]
    public void Build_ManyProblems_ListsEveryOneAtOnce()
    {
        var options = new CatalogOptions
        {
            Probe = new() { Interval = TimeSpan.Zero },
            Providers =
            [
                new() { Id = "a", Kind = "anthropic", BaseUrl = "https://api.anthropic.com", ApiKeyEnv = "MISSING_VAR" },
                new() { Id = "a", Kind = "openai", BaseUrl = "https://api.openai.com", ApiKeyEnv = "SET_VAR" },
                new() { Id = "b", Kind = "mistral", BaseUrl = "not a url" },
                new() { Id = "c", Kind = "gemini", BaseUrl = "https://generativelanguage.googleapis.com" },
                new() { Id = "d", Kind = "openai", BaseUrl = "https://x", ApiKeyFile = "/nope" },
            ],
            Targets =
            [
                new() { Provider = "nobody", Model = "m" },
                new() { Provider = "c" },
                new() { Id = "dup", Provider = "d", Model = "m1" },
                new() { Id = "dup", Provider = "d", Model = "m2" },
            ],
            Routes =
            [
                new() { Id = "r", Tiers = [new() { Targets = [new() { Target = "ghost" }, new() { Target = "dup", Weight = 0 }] }], PanicPolicy = "shrug" },
                new() { Id = "r", Tiers = [] },
            ],
        };

        var result = CatalogBuilder.Build(options, new FakeKeys("SET_VAR"));

        Assert.False(result.Succeeded);
        Assert.Null(result.Catalog);
        string[] expected =
        [
            "environment variable 'MISSING_VAR' named by ApiKeyEnv is not set",
            "duplicate provider id 'a'",
            "unknown provider kind 'mistral'",
            "BaseUrl 'not a url' must be an absolute http(s) URL",
            "a gemini provider needs ApiKeyEnv or ApiKeyFile",
            "key file '/nope' named by ApiKeyFile is missing or empty",
            "unknown provider 'nobody'",
            "Model is required",
            "duplicate target id 'dup'",
            "Interval must be greater than zero",
            "unknown target 'ghost'",
            "Weight must be at least 1",
            "unknown PanicPolicy 'shrug'",
            "duplicate route id 'r'",
            "a route needs at least one tier",
        ];
        var missing = expected.Where(fragment => !result.Errors.Any(e => e.Contains(fragment, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"Not reported: {string.Join(" | ", missing)}\nReported: {string.Join("\n", result.Errors)}");
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("x-api-key")]
    [InlineData("X-Goog-Api-Key")]
    public void Build_CredentialInHeaders_IsRejectedSoKeysStayOutOfConfig(string header)
    {
        var options = Valid();
        options.Providers[0].Headers[header] = "secret";

        var result = CatalogBuilder.Build(options, AllKeys);

        Assert.Contains(result.Errors, e => e.Contains($"header '{header}' carries credentials", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Errors, e => e.Contains("secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_TimeoutLongerThanInterval_IsRejected()
    {
        var options = Valid();
        options.Targets[0].Probe = new() { Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(6) };

        var result = CatalogBuilder.Build(options, AllKeys);

        Assert.Contains(result.Errors, e => e.Contains("must not exceed Interval", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_BothKeySources_IsAmbiguous()
    {
        var options = Valid();
        options.Providers[0].ApiKeyFile = "/run/secrets/openai";

        var result = CatalogBuilder.Build(options, AllKeys);

        Assert.Contains(result.Errors, e => e.Contains("not both", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_TargetListedTwiceInOneRoute_IsRejected()
    {
        var options = Valid();
        options.Routes[0].Tiers[1].Targets.Add(new() { Target = "anthropic/claude-sonnet-4-5" });

        var result = CatalogBuilder.Build(options, AllKeys);

        Assert.Contains(result.Errors, e => e.Contains("appears more than once", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("inference", ProbeMode.Inference)]
    [InlineData("Models", ProbeMode.Models)]
    public void Build_ProbeModeNames_AreCaseInsensitive(string name, ProbeMode mode)
    {
        var options = Valid();
        options.Probe.Mode = name;
        options.Targets[1].Probe!.Mode = null;

        var catalog = CatalogBuilder.Build(options, AllKeys).Catalog!;

        Assert.All(catalog.Targets.Values, t => Assert.Equal(mode, t.Probe.Mode));
    }

    [Fact]
    public void Build_EmptyCatalog_SaysWhatIsMissing()
    {
        var result = CatalogBuilder.Build(new CatalogOptions(), AllKeys);

        Assert.Contains(result.Errors, e => e.Contains("Catalog:Providers is empty", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Catalog:Targets is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void Build_ShortIntervalWithoutTimeout_DefaultsTheTimeoutToTheInterval()
    {
        var options = Valid();
        options.Targets[0].Probe = new() { Interval = TimeSpan.FromSeconds(2) };

        var result = CatalogBuilder.Build(options, AllKeys);

        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        Assert.Equal(TimeSpan.FromSeconds(2), result.Catalog!.Targets[new TargetId("anthropic/claude-sonnet-4-5")].Probe.Timeout);
    }
}
