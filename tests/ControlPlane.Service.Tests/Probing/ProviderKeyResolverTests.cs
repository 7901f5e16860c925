using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Probing.Clients;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Service.Tests.Probing;

public sealed class ProviderKeyResolverTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"controlplane-key-{Guid.NewGuid():N}");
    private readonly string _variable = $"CONTROLPLANE_TEST_KEY_{Guid.NewGuid():N}";
    private readonly FakeTimeProvider _time = new();

    public void Dispose()
    {
        File.Delete(_file);
        Environment.SetEnvironmentVariable(_variable, null);
    }

    [Fact]
    public void Resolve_EnvironmentVariable_IsReadAtUseTime()
    {
        var resolver = new ProviderKeyResolver(_time);
        var provider = Provider(new ApiKeySource(_variable, null));

        Environment.SetEnvironmentVariable(_variable, "first");
        Assert.Equal("first", resolver.Resolve(provider));

        Environment.SetEnvironmentVariable(_variable, "second");
        Assert.Equal("second", resolver.Resolve(provider));
    }

    [Fact]
    public void Resolve_File_IsTrimmedAndCachedUntilTheTtlPasses()
    {
        var resolver = new ProviderKeyResolver(_time);
        var provider = Provider(new ApiKeySource(null, _file));
        File.WriteAllText(_file, "old-key\n");
        Assert.Equal("old-key", resolver.Resolve(provider));

        File.WriteAllText(_file, "rotated-key\n");
        _time.Advance(ProviderKeyResolver.FileCacheTtl - TimeSpan.FromSeconds(1));
        Assert.Equal("old-key", resolver.Resolve(provider));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("rotated-key", resolver.Resolve(provider));
    }

    [Fact]
    public void Resolve_NoKeySource_IsNull() =>
        Assert.Null(new ProviderKeyResolver(_time).Resolve(Provider(null)));

    [Fact]
    public void Resolve_UnsetVariable_ThrowsNamingTheSourceOnly()
    {
        var ex = Assert.Throws<ProviderKeyUnavailableException>(() =>
            new ProviderKeyResolver(_time).Resolve(Provider(new ApiKeySource(_variable, null))));

        Assert.Contains($"env:{_variable}", ex.Message, StringComparison.Ordinal);
        Assert.Equal("p1", ex.ProviderId);
    }

    [Fact]
    public void Resolve_MissingFile_Throws() =>
        Assert.Throws<ProviderKeyUnavailableException>(() =>
            new ProviderKeyResolver(_time).Resolve(Provider(new ApiKeySource(null, _file))));

    [Fact]
    public void Resolve_KeyWithControlCharacters_ThrowsWithoutTheValue()
    {
        Environment.SetEnvironmentVariable(_variable, "sk-abc\u0007def");

        var ex = Assert.Throws<ProviderKeyUnavailableException>(() =>
            new ProviderKeyResolver(_time).Resolve(Provider(new ApiKeySource(_variable, null))));

        Assert.DoesNotContain("sk-abc", ex.Message, StringComparison.Ordinal);
    }

    private static ProviderDefinition Provider(ApiKeySource? source) =>
        new("p1", ProviderKind.Anthropic, new Uri("http://127.0.0.1:1/"), source, new Dictionary<string, string>(), null);
}
