using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;

namespace ControlPlane.Gateway.Tests.Translation.Anthropic;

public sealed class AnthropicErrorsTests
{
    private static readonly AnthropicCodec s_codec = new();

    [Theory]
    [InlineData(400, "invalid_request_error")]
    [InlineData(422, "invalid_request_error")]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    [InlineData(404, "not_found_error")]
    [InlineData(413, "request_too_large")]
    [InlineData(429, "rate_limit_error")]
    [InlineData(500, "api_error")]
    [InlineData(502, "api_error")]
    [InlineData(503, "overloaded_error")]
    [InlineData(529, "overloaded_error")]
    [InlineData(504, "timeout_error")]
    public void EncodeError_TypeFollowsTheStatus(int status, string type)
    {
        var body = Encoding.UTF8.GetString(s_codec.EncodeError(new ApiFault(status, ApiFault.KindOf(status), "Went \"wrong\"")));

        Assert.Equal($$$"""{"type":"error","error":{"type":"{{{type}}}","message":"Went \"wrong\""}}""", body);
    }

    [Fact]
    public void EncodeStreamError_IsAnErrorEvent()
    {
        var body = Encoding.UTF8.GetString(s_codec.EncodeStreamError(new ApiFault(529, FaultKind.Overloaded, "Overloaded")));

        Assert.Equal("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", body);
    }

    [Fact]
    public void DecodeError_ReadsTypeAndMessage()
    {
        var fault = s_codec.DecodeError(529, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"}"""u8);

        Assert.Equal(new ApiFault(529, FaultKind.Overloaded, "Overloaded"), fault);
    }

    [Fact]
    public void DecodeError_TypeWinsOverStatus()
    {
        var fault = s_codec.DecodeError(400, """{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum size"}}"""u8);

        Assert.Equal(FaultKind.RequestTooLarge, fault.Kind);
        Assert.Equal(400, fault.Status);
    }

    [Theory]
    [InlineData("<html>Bad Gateway</html>", 502, "Server")]
    [InlineData("", 503, "Unavailable")]
    [InlineData("""{"message":"nope"}""", 429, "RateLimited")]
    public void DecodeError_GarbageBody_FallsBackToTheStatus(string body, int status, string kind)
    {
        var fault = s_codec.DecodeError(status, Encoding.UTF8.GetBytes(body));

        Assert.Equal(Enum.Parse<FaultKind>(kind), fault.Kind);
        Assert.Equal(status, fault.Status);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), fault.Message, StringComparison.Ordinal);
    }
}
