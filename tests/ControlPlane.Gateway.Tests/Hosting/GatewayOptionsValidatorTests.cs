using ControlPlane.Gateway.Hosting;

namespace ControlPlane.Gateway.Tests.Hosting;

public sealed class GatewayOptionsValidatorTests
{
    [Fact]
    public void Validate_ListsEveryProblemAtOnce_WithoutPrintingKeys()
    {
        var secret = "sk-should-never-appear";
        Environment.SetEnvironmentVariable("GW_TEST_KEY_SET", secret);
        var options = new GatewayOptions
        {
            Providers =
            [
                new() { Id = "a", Kind = "anthropic", BaseUrl = "https://api.anthropic.com", ApiKeyEnv = "GW_TEST_KEY_SET" },
                new() { Id = "a", Kind = "claude", BaseUrl = "not a url", ApiKeyEnv = "GW_TEST_KEY_MISSING" },
                new() { Id = "", Kind = "openai", BaseUrl = "https://api.openai.com" },
                new() { Id = "local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:11434" },
            ],
            MaxAttempts = 0,
            ClientKeys = [secret],
        };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("Providers:1:Id 'a' is listed twice", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Providers:1:Kind 'claude'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Providers:1:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("'GW_TEST_KEY_MISSING', which is not set", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Providers:2:Id must not be empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Providers:2: a openai provider needs ApiKeyEnv", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("MaxAttempts", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("ClientKeys:0", StringComparison.Ordinal));
        Assert.Equal(8, failures.Count);
        Assert.DoesNotContain(failures, f => f.Contains(secret, StringComparison.Ordinal));
    }
}
