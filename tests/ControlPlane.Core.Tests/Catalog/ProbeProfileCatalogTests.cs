using ControlPlane.Contracts;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Catalog;

public sealed class ProbeProfileCatalogTests
{
    private sealed class NoKeysNeeded : IKeySourceProbe
    {
        public bool EnvironmentVariableIsSet(string name) => true;

        public bool FileHasContent(string path) => true;
    }

    private static CatalogOptions Options(string? defaultProfile = null, string? providerProfile = null, string? targetProfile = null) => new()
    {
        Probe = new() { Profile = defaultProfile },
        Providers =
        [
            new() { Id = "openai", Kind = "openai", BaseUrl = "https://api.openai.com", ApiKeyEnv = "OPENAI_KEY", Probe = new() { Profile = providerProfile } },
        ],
        Targets =
        [
            new() { Provider = "openai", Model = "o4-mini", Probe = new() { Profile = targetProfile } },
            new() { Provider = "openai", Model = "gpt-4.1" },
        ],
    };

    private static CatalogBuildResult Build(CatalogOptions options) => CatalogBuilder.Build(options, new NoKeysNeeded());

    [Fact]
    public void Build_NoProfile_DefaultsToAuto()
    {
        var catalog = Build(Options()).Catalog!;

        Assert.All(catalog.Targets.Values, t => Assert.Equal(ProbeProfile.Auto, t.Probe.Profile));
    }

    [Fact]
    public void Build_TargetProfile_OverridesProviderAndDefault()
    {
        var catalog = Build(Options(defaultProfile: "reasoning", providerProfile: "auto", targetProfile: "Standard")).Catalog!;

        Assert.Equal(ProbeProfile.Standard, catalog.Targets[new TargetId("openai/o4-mini")].Probe.Profile);
        Assert.Equal(ProbeProfile.Auto, catalog.Targets[new TargetId("openai/gpt-4.1")].Probe.Profile);
    }

    [Fact]
    public void Build_UnknownProfiles_ListsEveryOne()
    {
        var options = Options(targetProfile: "thinking");
        options.Targets[1].Probe = new() { Profile = "cheap" };

        var result = Build(options);

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Contains("unknown probe profile 'thinking'; expected auto, standard or reasoning", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("unknown probe profile 'cheap'", StringComparison.Ordinal));
    }
}
