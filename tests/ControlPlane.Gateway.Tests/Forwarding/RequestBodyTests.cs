using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Gateway.Forwarding;

namespace ControlPlane.Gateway.Tests.Forwarding;

public sealed class RequestBodyTests
{
    [Fact]
    public void BodyFor_ReplacesOnlyTheModel_KeepingEveryOtherByte()
    {
        const string body = """{"messages":[{"role":"user","content":"model"}], "model" : "chat",  "temperature":1.50,"stream":true,"x":{"model":"inner"}}""";
        var request = RequestBody.TryParse(Encoding.UTF8.GetBytes(body), out var problem);

        Assert.Null(problem);
        Assert.Equal("chat", request!.Model);
        Assert.True(request.Stream);
        Assert.Equal(body.Replace("\"chat\"", "\"claude-sonnet-4-5\"", StringComparison.Ordinal), Encoding.UTF8.GetString(request.BodyFor("claude-sonnet-4-5")));
    }

    [Fact]
    public void BodyFor_EscapesTheTargetModel()
    {
        var request = RequestBody.TryParse("""{"model":"a"}"""u8.ToArray(), out _)!;

        Assert.Equal("we\"ird/m", JsonNode.Parse(request.BodyFor("we\"ird/m"))!["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"messages":[]}""", "'model' is required")]
    [InlineData("""{"model":3}""", "'model' must be a string")]
    [InlineData("""[1]""", "must be a JSON object")]
    [InlineData("""{"model":"a",""", "not valid JSON")]
    [InlineData("""{"model":"a"} {}""", "not valid JSON")]
    public void TryParse_RejectsWhatCannotBeRouted(string body, string expected)
    {
        Assert.Null(RequestBody.TryParse(Encoding.UTF8.GetBytes(body), out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
