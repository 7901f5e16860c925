using ControlPlane.Gateway.Caching;
using ControlPlane.Gateway.Hosting;

namespace ControlPlane.Gateway.Tests.Caching;

public sealed class ResponseCacheOptionsTests
{
    private static List<string> Problems(ResponseCacheOptions cache)
    {
        var options = new GatewayOptions
        {
            Providers = [new() { Id = "local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:11434" }],
            ResponseCache = cache,
        };
        var result = new GatewayOptionsValidator().Validate(null, options);
        return result.Failures?.ToList() ?? [];
    }

    [Fact]
    public void Defaults_AreValid_And64MiBWith1MiBEntries()
    {
        var defaults = new ResponseCacheOptions();

        Assert.Empty(Problems(defaults));
        Assert.Equal((64L * 1024 * 1024, 1024 * 1024), (defaults.MaxBytes, defaults.MaxEntryBytes));
    }

    [Fact]
    public void Zero_TurnsTheCacheOff_AndIsValid() => Assert.Empty(Problems(new ResponseCacheOptions { MaxBytes = 0 }));

    [Fact]
    public void Validate_ListsEveryCacheProblem()
    {
        Assert.Equal(
            ["Gateway:ResponseCache:MaxBytes must be 0 (off) or more (got -1).", "Gateway:ResponseCache:MaxEntryBytes must be at least 1 (got 0)."],
            Problems(new ResponseCacheOptions { MaxBytes = -1, MaxEntryBytes = 0 }));
        Assert.Equal(
            ["Gateway:ResponseCache:MaxEntryBytes (2048) must not exceed MaxBytes (1024)."],
            Problems(new ResponseCacheOptions { MaxBytes = 1024, MaxEntryBytes = 2048 }));
    }
}
