using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Responses;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Translation.Responses;

public sealed class ResponsesErrorsTests
{
    private static readonly ResponsesCodec Codec = new(new FakeTimeProvider());

    [Fact]
    public void EncodeError_InvalidRequest_IsOpenAisErrorShape()
    {
        var body = Encoding.UTF8.GetString(Codec.EncodeError(new ApiFault(400, FaultKind.InvalidRequest, "Missing required parameter: 'model'.")));

        Assert.Equal("""{"error":{"message":"Missing required parameter: 'model'.","type":"invalid_request_error","param":null,"code":null}}""", body);
    }

    [Fact]
    public void EncodeError_RateLimited_CarriesTheRateLimitCode()
    {
        var body = Encoding.UTF8.GetString(Codec.EncodeError(new ApiFault(429, FaultKind.RateLimited, "Slow down.")));

        Assert.Equal("""{"error":{"message":"Slow down.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""", body);
    }

    [Fact]
    public void EncodeError_FaultCode_IsKept()
    {
        var body = Encoding.UTF8.GetString(Codec.EncodeError(new ApiFault(404, FaultKind.NotFound, "No such model.", "model_not_found")));

        Assert.Contains("\"code\":\"model_not_found\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeStreamError_IsAnErrorEvent()
    {
        var sse = Encoding.UTF8.GetString(Codec.EncodeStreamError(new ApiFault(503, FaultKind.Overloaded, "Overloaded.")));

        Assert.Equal("event: error\ndata: {\"type\":\"error\",\"code\":\"server_error\",\"message\":\"Overloaded.\",\"param\":null,\"sequence_number\":0}\n\n", sse);
    }
}
