using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Gemini;

namespace ControlPlane.Gateway.Tests.Translation.Gemini;

public sealed class GeminiResponseDecoderTests
{
    private static readonly GeminiCodec Codec = new();

    private static ChatResponse Decode(string json) => Codec.DecodeResponse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Decode_TextAnswer_ReadsIdModelTextAndUsage()
    {
        var response = Decode("""
            {"candidates":[{"content":{"parts":[{"text":"Hello"},{"text":" there"}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":10,"candidatesTokenCount":5,"totalTokenCount":15},
             "modelVersion":"gemini-2.5-flash","responseId":"abc123"}
            """);

        Assert.Equal("abc123", response.Id);
        Assert.Equal("gemini-2.5-flash", response.Model);
        Assert.Equal(new ContentPart[] { new TextPart("Hello there") }, response.Content);
        Assert.Equal(FinishReason.EndTurn, response.Finish);
        Assert.Equal(new Usage(10, 5), response.Usage);
    }

    [Fact]
    public void Decode_ThoughtsAndCachedTokens_CountThoughtsAsOutputAndReasoning()
    {
        var response = Decode("""
            {"candidates":[{"content":{"parts":[{"text":"Thinking about it","thought":true},{"text":"42"}],"role":"model"},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":100,"candidatesTokenCount":3,"thoughtsTokenCount":20,"cachedContentTokenCount":64},"responseId":"r"}
            """);

        Assert.Equal(new ContentPart[] { new ThinkingPart("Thinking about it", null), new TextPart("42") }, response.Content);
        Assert.Equal(new Usage(100, 23, CachedInputTokens: 64, ReasoningTokens: 20), response.Usage);
    }

    [Fact]
    public void Decode_ParallelFunctionCallsWithoutIds_SynthesizesStableIdsAndToolUse()
    {
        const string json = """
            {"candidates":[{"content":{"parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}},"thoughtSignature":"xyz"},
             {"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}],"role":"model"},"finishReason":"STOP"}],"responseId":"rsp-1/x"}
            """;

        var response = Decode(json);

        Assert.Equal(new ContentPart[] { new ToolCallPart("call_rsp-1x_0", "get_weather", """{"city":"Paris"}"""), new ToolCallPart("call_rsp-1x_1", "get_weather", """{"city":"Rome"}""") }, response.Content);
        Assert.Equal(FinishReason.ToolUse, response.Finish);
        Assert.Equal(response.Content, Decode(json).Content);
    }

    [Fact]
    public void Decode_FunctionCallWithId_KeepsGeminisId()
    {
        var response = Decode("""{"candidates":[{"content":{"parts":[{"functionCall":{"id":"fc_9","name":"now"}}]},"finishReason":"STOP"}]}""");

        Assert.Equal(new ContentPart[] { new ToolCallPart("fc_9", "now", "{}") }, response.Content);
    }

    [Fact]
    public void Decode_MaxTokens_IsMaxTokens()
    {
        Assert.Equal(FinishReason.MaxTokens, Decode("""{"candidates":[{"content":{"parts":[{"text":"Once"}]},"finishReason":"MAX_TOKENS"}]}""").Finish);
    }

    [Theory]
    [InlineData("SAFETY")]
    [InlineData("RECITATION")]
    [InlineData("BLOCKLIST")]
    [InlineData("PROHIBITED_CONTENT")]
    [InlineData("SPII")]
    [InlineData("IMAGE_SAFETY")]
    public void Decode_SafetyFinish_IsRefusal(string reason)
    {
        var response = Decode($$"""{"candidates":[{"finishReason":"{{reason}}","index":0,"safetyRatings":[]}]}""");

        Assert.Equal(FinishReason.Refusal, response.Finish);
        Assert.Empty(response.Content);
    }

    [Fact]
    public void Decode_BlockedPrompt_IsRefusalWithEmptyContent()
    {
        var response = Decode("""{"promptFeedback":{"blockReason":"SAFETY","safetyRatings":[]},"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"responseId":"b1"}""");

        Assert.Equal(FinishReason.Refusal, response.Finish);
        Assert.Empty(response.Content);
        Assert.Equal(7, response.Usage.InputTokens);
    }

    [Fact]
    public void Decode_OtherFinishReason_IsEndTurn()
    {
        Assert.Equal(FinishReason.EndTurn, Decode("""{"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"OTHER"}]}""").Finish);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{}")]
    public void Decode_NotAnAnswer_IsMalformed(string body)
    {
        Assert.Throws<MalformedResponseException>(() => Decode(body));
    }
}
