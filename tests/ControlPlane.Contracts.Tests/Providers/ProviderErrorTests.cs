using ControlPlane.Contracts.Providers;

namespace ControlPlane.Contracts.Tests.Providers;

public sealed class ProviderErrorTests
{
    [Fact]
    public void TryParse_AnthropicShape_ReadsType()
    {
        var error = ProviderError.TryParse("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""");

        Assert.NotNull(error);
        Assert.Equal("overloaded_error", error.Type);
        Assert.Equal("overloaded_error", error.Name);
    }

    [Fact]
    public void TryParse_OpenAIShape_ReadsTypeAndCode()
    {
        var error = ProviderError.TryParse("""{"error":{"message":"m","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""");

        Assert.Equal(new ProviderError("insufficient_quota", "insufficient_quota", null, "m", null), error);
    }

    [Fact]
    public void TryParse_GoogleShapeInArray_ReadsStatusCodeAndRetryDelay()
    {
        var error = ProviderError.TryParse("""
            [{"error":{"code":429,"message":"m","status":"RESOURCE_EXHAUSTED",
              "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure"},
                         {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}]
            """);

        Assert.NotNull(error);
        Assert.Equal("429", error.Code);
        Assert.Equal("RESOURCE_EXHAUSTED", error.Name);
        Assert.Equal(TimeSpan.FromSeconds(1.5), error.RetryDelay);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("<html>502</html>")]
    [InlineData("""{"message":"no error object"}""")]
    [InlineData("[]")]
    public void TryParse_NotAnErrorBody_IsNull(string? body) => Assert.Null(ProviderError.TryParse(body));

    [Theory]
    [InlineData("overloaded_error", "overloaded_error")]
    [InlineData("Incorrect API key provided: sk-abc", null)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", null)]
    public void Sanitize_KeepsOnlyShortTokens(string input, string? expected) =>
        Assert.Equal(expected, ProviderError.Sanitize(input));
}
