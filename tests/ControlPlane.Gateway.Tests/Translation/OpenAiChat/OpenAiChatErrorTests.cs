using ControlPlane.Gateway.Translation;
using static ControlPlane.Gateway.Tests.Translation.OpenAiChat.OpenAiChatTestKit;

namespace ControlPlane.Gateway.Tests.Translation.OpenAiChat;

public sealed class OpenAiChatErrorTests
{
    [Theory]
    [InlineData(400, nameof(FaultKind.InvalidRequest), "invalid_request_error", "null")]
    [InlineData(401, nameof(FaultKind.Authentication), "authentication_error", "null")]
    [InlineData(403, nameof(FaultKind.Permission), "invalid_request_error", "null")]
    [InlineData(404, nameof(FaultKind.NotFound), "invalid_request_error", "null")]
    [InlineData(429, nameof(FaultKind.RateLimited), "requests", "'rate_limit_exceeded'")]
    [InlineData(500, nameof(FaultKind.Server), "server_error", "null")]
    [InlineData(529, nameof(FaultKind.Overloaded), "server_error", "null")]
    public void EncodeError_ShapeTypeAndCode(int status, string kind, string type, string code)
    {
        var body = Text(Codec().EncodeError(new ApiFault(status, Enum.Parse<FaultKind>(kind), "Something \"went\" wrong")));
        Assert.Equal(Q("{'error':{'message':'Something \\'went\\' wrong','type':'" + type + "','param':null,'code':" + code + "}}"), body);
    }

    [Fact]
    public void EncodeError_FaultCode_IsTheCode()
    {
        var body = Text(Codec().EncodeError(new ApiFault(404, FaultKind.NotFound, "The model `x` does not exist", "model_not_found")));
        Assert.Contains(Q("'code':'model_not_found'"), body, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeStreamError_IsADataEvent()
    {
        var sse = Text(Codec().EncodeStreamError(new ApiFault(500, FaultKind.Server, "boom")));
        Assert.Equal(Q("data: {'error':{'message':'boom','type':'server_error','param':null,'code':null}}\n\n"), sse);
    }

    [Fact]
    public void DecodeError_OpenAiShape()
    {
        var fault = Codec().DecodeError(429, Json("{'error':{'message':'Rate limit reached','type':'requests','param':null,'code':'rate_limit_exceeded'}}"));
        Assert.Equal(new ApiFault(429, FaultKind.RateLimited, "Rate limit reached", "rate_limit_exceeded"), fault);
    }

    [Fact]
    public void DecodeError_OllamaStringError()
    {
        var fault = Codec().DecodeError(404, Json("{'error':'model \\'llama9\\' not found'}"));
        Assert.Equal(new ApiFault(404, FaultKind.NotFound, "model \"llama9\" not found"), fault);
    }

    [Fact]
    public void DecodeError_VllmShape_NumericCodeIgnored()
    {
        var fault = Codec().DecodeError(400, Json("{'object':'error','message':'max_tokens is too large','type':'BadRequestError','param':null,'code':400}"));
        Assert.Equal(new ApiFault(400, FaultKind.InvalidRequest, "max_tokens is too large"), fault);
    }

    [Fact]
    public void DecodeError_NotJson_FallsBackToStatus()
    {
        var fault = Codec().DecodeError(502, "<html>Bad gateway</html>"u8);
        Assert.Equal(502, fault.Status);
        Assert.Equal(FaultKind.Server, fault.Kind);
        Assert.Contains("502", fault.Message, StringComparison.Ordinal);
    }
}
