using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Gemini;

namespace ControlPlane.Gateway.Tests.Translation.Gemini;

public sealed class GeminiErrorsTests
{
    private static readonly GeminiCodec Codec = new();

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", "InvalidRequest")]
    [InlineData(401, "UNAUTHENTICATED", "Authentication")]
    [InlineData(403, "PERMISSION_DENIED", "Permission")]
    [InlineData(404, "NOT_FOUND", "NotFound")]
    [InlineData(429, "RESOURCE_EXHAUSTED", "RateLimited")]
    [InlineData(500, "INTERNAL", "Server")]
    [InlineData(503, "UNAVAILABLE", "Overloaded")]
    [InlineData(504, "DEADLINE_EXCEEDED", "Timeout")]
    public void DecodeError_StatusName_GivesKind(int code, string status, string kind)
    {
        var body = $$$"""{"error":{"code":{{{code}}},"message":"Something happened.","status":"{{{status}}}"}}""";

        var fault = Codec.DecodeError(code, Encoding.UTF8.GetBytes(body));

        Assert.Equal(new ApiFault(code, Enum.Parse<FaultKind>(kind), "Something happened."), fault);
    }

    [Fact]
    public void DecodeError_InvalidApiKey_IsAuthentication()
    {
        const string body = """
            {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
             "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}
            """;

        Assert.Equal(FaultKind.Authentication, Codec.DecodeError(400, Encoding.UTF8.GetBytes(body)).Kind);
    }

    [Fact]
    public void DecodeError_ArrayWrappedError_IsRead()
    {
        var fault = Codec.DecodeError(429, """[{"error":{"code":429,"message":"Quota exceeded.","status":"RESOURCE_EXHAUSTED"}}]"""u8);

        Assert.Equal(new ApiFault(429, FaultKind.RateLimited, "Quota exceeded."), fault);
    }

    [Fact]
    public void DecodeError_NotJson_FallsBackToTheStatus()
    {
        var fault = Codec.DecodeError(502, "<html>Bad Gateway</html>"u8);

        Assert.Equal(502, fault.Status);
        Assert.Equal(FaultKind.Server, fault.Kind);
    }
}
