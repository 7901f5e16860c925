using ControlPlane.Gateway.Translation;
using static ControlPlane.Gateway.Tests.Translation.OpenAiChat.OpenAiChatTestKit;

namespace ControlPlane.Gateway.Tests.Translation.OpenAiChat;

public sealed class OpenAiChatStreamDecoderTests
{
    private static string Data(string singleQuoted) => "data: " + Q(singleQuoted) + "\n\n";

    private static string Delta(string delta, string finish = "null") =>
        Data("{'id':'chatcmpl-7','object':'chat.completion.chunk','created':1,'model':'gpt-4o','choices':[{'index':0,'delta':" + delta + ",'finish_reason':" + finish + "}]}");

    private const string Done = "data: [DONE]\n\n";

    [Fact]
    public void Decode_TextStream_BlocksAndFinish()
    {
        var (events, complete) = DecodeStream(Delta("{'role':'assistant','content':''}") + Delta("{'content':'Hel'}") + Delta("{'content':'lo'}")
            + Delta("{}", "'stop'") + Done);

        Assert.True(complete);
        Assert.Equal<StreamEvent>(
            [
                new MessageStarted("chatcmpl-7", "gpt-4o", Usage.None),
                new BlockStarted(0, BlockKind.Text),
                new BlockDelta(0, "Hel"),
                new BlockDelta(0, "lo"),
                new BlockStopped(0),
                new MessageFinished(FinishReason.EndTurn, null, Usage.None),
            ],
            events);
    }

    [Fact]
    public void Decode_ReasoningThenTextThenParallelToolCalls_OneBlockAtATime()
    {
        var (events, complete) = DecodeStream(
            Delta("{'role':'assistant','reasoning_content':'think'}")
            + Delta("{'content':'Ok.'}")
            + Delta("{'tool_calls':[{'index':0,'id':'call_a','type':'function','function':{'name':'get','arguments':''}}]}")
            + Delta("{'tool_calls':[{'index':0,'function':{'arguments':'{\\'c\\':'}}]}")
            + Delta("{'tool_calls':[{'index':0,'function':{'arguments':'1}'}}]}")
            + Delta("{'tool_calls':[{'index':1,'id':'call_b','type':'function','function':{'name':'put','arguments':'{}'}}]}")
            + Delta("{}", "'tool_calls'") + Done);

        Assert.True(complete);
        Assert.Equal<StreamEvent>(
            [
                new MessageStarted("chatcmpl-7", "gpt-4o", Usage.None),
                new BlockStarted(0, BlockKind.Thinking),
                new BlockDelta(0, "think"),
                new BlockStopped(0),
                new BlockStarted(1, BlockKind.Text),
                new BlockDelta(1, "Ok."),
                new BlockStopped(1),
                new BlockStarted(2, BlockKind.ToolCall, "call_a", "get"),
                new BlockDelta(2, "{\"c\":"),
                new BlockDelta(2, "1}"),
                new BlockStopped(2),
                new BlockStarted(3, BlockKind.ToolCall, "call_b", "put"),
                new BlockDelta(3, "{}"),
                new BlockStopped(3),
                new MessageFinished(FinishReason.ToolUse, null, Usage.None),
            ],
            events);
    }

    [Fact]
    public void Decode_ArgumentsForAClosedToolCall_IsMalformed()
    {
        Assert.Throws<MalformedResponseException>(() => DecodeStream(
            Delta("{'tool_calls':[{'index':0,'id':'a','type':'function','function':{'name':'f','arguments':''}}]}")
            + Delta("{'tool_calls':[{'index':1,'id':'b','type':'function','function':{'name':'g','arguments':''}}]}")
            + Delta("{'tool_calls':[{'index':0,'function':{'arguments':'{}'}}]}")));
    }

    [Fact]
    public void Decode_IncludeUsageChunk_UsageInFinishWithCachedTokens()
    {
        var (events, complete) = DecodeStream(Delta("{'content':'Hi'}") + Delta("{}", "'length'")
            + Data("{'id':'chatcmpl-7','object':'chat.completion.chunk','model':'gpt-4o','choices':[],'usage':{'prompt_tokens':20,'completion_tokens':3,"
                + "'total_tokens':23,'prompt_tokens_details':{'cached_tokens':16},'completion_tokens_details':{'reasoning_tokens':0}}}")
            + Done);

        Assert.True(complete);
        Assert.Equal(new MessageFinished(FinishReason.MaxTokens, null, new Usage(20, 3, 16, null, 0)), events[^1]);
        Assert.Equal(new BlockStopped(0), events[^2]);
    }

    [Fact]
    public void Decode_EndsWithFinishReasonButNoDone_CompleteFinishes()
    {
        var (events, complete) = DecodeStream(Delta("{'content':'Hi'}") + Delta("{}", "'stop'"));

        Assert.True(complete);
        Assert.Equal(new BlockStopped(0), events[^2]);
        Assert.Equal(new MessageFinished(FinishReason.EndTurn, null, Usage.None), events[^1]);
    }

    [Fact]
    public void Decode_EndsWithoutFinishOrDone_IsTruncated()
    {
        var (events, complete) = DecodeStream(Delta("{'content':'Hi'}"));

        Assert.False(complete);
        Assert.DoesNotContain(events, e => e is MessageFinished);
    }

    [Fact]
    public void Decode_ErrorChunkFirst_StreamFailedWithFault()
    {
        var (events, complete) = DecodeStream(Data("{'error':{'message':'The server is overloaded','type':'service_unavailable_error','param':null,'code':'server_is_overloaded'}}"));

        Assert.False(complete);
        var failed = Assert.IsType<StreamFailed>(Assert.Single(events));
        Assert.Equal(new ApiFault(503, FaultKind.Unavailable, "The server is overloaded", "server_is_overloaded"), failed.Fault);
    }

    [Fact]
    public void Decode_ErrorMidStream_StreamFailedAfterContent()
    {
        var (events, complete) = DecodeStream(Delta("{'content':'Hi'}") + Data("{'error':{'message':'boom','type':'server_error','param':null,'code':null}}") + Done);

        Assert.False(complete);
        Assert.Equal(new StreamFailed(new ApiFault(500, FaultKind.Server, "boom")), events[^1]);
    }

    [Fact]
    public void Decode_RefusalDelta_TextWithRefusalFinish()
    {
        var (events, _) = DecodeStream(Delta("{'refusal':'No.'}") + Delta("{}", "'stop'") + Done);
        Assert.Contains(new BlockDelta(0, "No."), events);
        Assert.Equal(FinishReason.Refusal, Assert.IsType<MessageFinished>(events[^1]).Finish);
    }

    [Fact]
    public void Decode_ToolCallWithoutText_OnlyToolBlock()
    {
        var (events, _) = DecodeStream(Delta("{'role':'assistant','content':null,'tool_calls':[{'index':0,'id':'c','type':'function','function':{'name':'f','arguments':'{}'}}]}")
            + Delta("{}", "'tool_calls'") + Done);
        Assert.Equal(new BlockStarted(0, BlockKind.ToolCall, "c", "f"), events[1]);
        Assert.DoesNotContain(events, e => e is BlockStarted { Kind: BlockKind.Text });
    }

    [Fact]
    public void Decode_InvalidChunk_IsMalformed()
    {
        Assert.Throws<MalformedResponseException>(() => DecodeStream("data: {oops\n\n"));
    }

    [Fact]
    public void Decode_FinishAndUsageInOneChunk_UsageKept()
    {
        var (events, complete) = DecodeStream(Delta("{'content':'Hi'}")
            + Data("{'id':'chatcmpl-7','model':'llama3','choices':[{'index':0,'delta':{},'finish_reason':'stop'}],'usage':{'prompt_tokens':9,'completion_tokens':2,'total_tokens':11}}")
            + Done);

        Assert.True(complete);
        Assert.Equal(new MessageFinished(FinishReason.EndTurn, null, new Usage(9, 2)), events[^1]);
    }

    [Fact]
    public void Decode_ToolCallWithoutId_SynthesizesCallIndexId()
    {
        var (events, _) = DecodeStream(Delta("{'tool_calls':[{'index':2,'function':{'name':'f','arguments':'{}'}}]}") + Delta("{}", "'tool_calls'") + Done);
        Assert.Equal(new BlockStarted(0, BlockKind.ToolCall, "call_2", "f"), events[1]);
    }

    [Fact]
    public void RoundTrip_EncoderOutputDecodesToTheSameEvents()
    {
        StreamEvent[] original =
        [
            new MessageStarted("chatcmpl-rt", "client-model", Usage.None),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "Let me look."),
            new BlockStopped(0),
            new BlockStarted(1, BlockKind.ToolCall, "call_1", "get"),
            new BlockDelta(1, "{\"q\":"),
            new BlockDelta(1, "\"x\"}"),
            new BlockStopped(1),
            new BlockStarted(2, BlockKind.ToolCall, "call_2", "put"),
            new BlockDelta(2, "{}"),
            new BlockStopped(2),
            new MessageFinished(FinishReason.ToolUse, null, new Usage(30, 12, 8, null, 0)),
        ];

        var sse = EncodeStream(new ChatRequest { Model = "client-model", Stream = true, StreamUsage = true }, original);
        var (decoded, complete) = DecodeStream(sse);

        Assert.True(complete);
        Assert.Equal(original, decoded);
    }
}
