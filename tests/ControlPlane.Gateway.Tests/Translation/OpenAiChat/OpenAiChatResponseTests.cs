using ControlPlane.Gateway.Translation;
using static ControlPlane.Gateway.Tests.Translation.OpenAiChat.OpenAiChatTestKit;

namespace ControlPlane.Gateway.Tests.Translation.OpenAiChat;

public sealed class OpenAiChatResponseTests
{
    private static string EncodeResponse(ChatResponse response) => Text(Codec().EncodeResponse(response, "client-model"));

    [Fact]
    public void Encode_TextAnswer_ExactShapeWithCachedUsage()
    {
        var body = EncodeResponse(new ChatResponse("msg_1", "claude-x", [new ThinkingPart("secret", "s"), new TextPart("Hello"), new TextPart(" world")],
            FinishReason.EndTurn, null, new Usage(100, 20, CachedInputTokens: 60, ReasoningTokens: 5)));

        Assert.Equal(Q("{'id':'chatcmpl-msg_1','object':'chat.completion','created':" + Created + ",'model':'client-model','choices':[{'index':0,"
            + "'message':{'role':'assistant','content':'Hello world','refusal':null},'logprobs':null,'finish_reason':'stop'}],"
            + "'usage':{'prompt_tokens':100,'completion_tokens':20,'total_tokens':120,'prompt_tokens_details':{'cached_tokens':60},"
            + "'completion_tokens_details':{'reasoning_tokens':5}}}"), body);
    }

    [Fact]
    public void Encode_ToolCallWithoutText_ContentNullAndToolCalls()
    {
        var body = EncodeResponse(new ChatResponse("chatcmpl-9", "m", [new ToolCallPart("call_1", "get", "{\"a\":1}"), new ToolCallPart("call_2", "put", "{}")],
            FinishReason.ToolUse, null, Usage.None));

        Assert.Contains(Q("'id':'chatcmpl-9'"), body, StringComparison.Ordinal);
        Assert.Contains(Q("'message':{'role':'assistant','content':null,'refusal':null,'tool_calls':[{'id':'call_1','type':'function','function':{'name':'get','arguments':'{\\'a\\':1}'}},"
            + "{'id':'call_2','type':'function','function':{'name':'put','arguments':'{}'}}]},'logprobs':null,'finish_reason':'tool_calls'"), body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(FinishReason.EndTurn), "stop")]
    [InlineData(nameof(FinishReason.StopSequence), "stop")]
    [InlineData(nameof(FinishReason.MaxTokens), "length")]
    [InlineData(nameof(FinishReason.ToolUse), "tool_calls")]
    [InlineData(nameof(FinishReason.Refusal), "content_filter")]
    public void Encode_FinishReasons(string finish, string expected)
    {
        var body = EncodeResponse(new ChatResponse("x", "m", [new TextPart("t")], Enum.Parse<FinishReason>(finish), null, Usage.None));
        Assert.Contains(Q("'finish_reason':'" + expected + "'"), body, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_EmptyContent_ContentNull()
    {
        var body = EncodeResponse(new ChatResponse("x", "m", [], FinishReason.EndTurn, null, Usage.None));
        Assert.Contains(Q("'content':null"), body, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_FullAnswer_ReadsTextReasoningToolCallsUsage()
    {
        var response = Codec().DecodeResponse(Json("{'id':'chatcmpl-1','object':'chat.completion','model':'gpt-4o-2024','choices':[{'index':0,"
            + "'message':{'role':'assistant','content':'Checking.','reasoning_content':'think','refusal':null,"
            + "'tool_calls':[{'id':'call_1','type':'function','function':{'name':'get','arguments':'{}'}}]},'finish_reason':'tool_calls'}],"
            + "'usage':{'prompt_tokens':50,'completion_tokens':10,'total_tokens':60,'prompt_tokens_details':{'cached_tokens':32},'completion_tokens_details':{'reasoning_tokens':4}}}"));

        Assert.Equal("chatcmpl-1", response.Id);
        Assert.Equal("gpt-4o-2024", response.Model);
        Assert.Equal([new ThinkingPart("think", null), new TextPart("Checking."), new ToolCallPart("call_1", "get", "{}")], response.Content);
        Assert.Equal(FinishReason.ToolUse, response.Finish);
        Assert.Equal(new Usage(50, 10, 32, null, 4), response.Usage);
    }

    [Theory]
    [InlineData("stop", nameof(FinishReason.EndTurn))]
    [InlineData("length", nameof(FinishReason.MaxTokens))]
    [InlineData("content_filter", nameof(FinishReason.Refusal))]
    [InlineData("function_call", nameof(FinishReason.ToolUse))]
    public void Decode_FinishReasons(string finish, string expected)
    {
        var response = Codec().DecodeResponse(Json("{'id':'x','choices':[{'message':{'role':'assistant','content':'t'},'finish_reason':'" + finish + "'}]}"));
        Assert.Equal(Enum.Parse<FinishReason>(expected), response.Finish);
    }

    [Fact]
    public void Decode_StopWithToolCalls_IsToolUse()
    {
        var response = Codec().DecodeResponse(Json("{'id':'x','choices':[{'message':{'role':'assistant','content':null,"
            + "'tool_calls':[{'id':'c','type':'function','function':{'name':'f','arguments':'{}'}}]},'finish_reason':'stop'}]}"));
        Assert.Equal(FinishReason.ToolUse, response.Finish);
    }

    [Fact]
    public void Decode_Refusal_IsTextAndRefusal()
    {
        var response = Codec().DecodeResponse(Json("{'id':'x','choices':[{'message':{'role':'assistant','content':null,'refusal':'I can not help.'},'finish_reason':'stop'}]}"));
        Assert.Equal([new TextPart("I can not help.")], response.Content);
        Assert.Equal(FinishReason.Refusal, response.Finish);
    }

    [Fact]
    public void Decode_NoChoices_EmptyContent()
    {
        var response = Codec().DecodeResponse(Json("{'id':'x','model':'m','choices':[]}"));
        Assert.Empty(response.Content);
        Assert.Equal(Usage.None, response.Usage);
    }

    [Fact]
    public void Decode_InvalidJson_IsMalformed()
    {
        Assert.Throws<MalformedResponseException>(() => Codec().DecodeResponse("<html>"u8));
    }
}
