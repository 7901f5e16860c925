using ControlPlane.Gateway.Translation;
using static ControlPlane.Gateway.Tests.Translation.OpenAiChat.OpenAiChatTestKit;

namespace ControlPlane.Gateway.Tests.Translation.OpenAiChat;

public sealed class OpenAiChatStreamEncoderTests
{
    private static readonly ChatRequest Plain = new() { Model = "client-model", Stream = true };
    private static readonly ChatRequest WithUsage = Plain with { StreamUsage = true };

    private static string Chunk(string delta, string finish = "null", string usage = "") =>
        Q("data: {'id':'chatcmpl-1','object':'chat.completion.chunk','created':" + Created + ",'model':'client-model','choices':[{'index':0,'delta':"
            + delta + ",'logprobs':null,'finish_reason':" + finish + "}]" + usage + "}\n\n");

    private static readonly string First = Chunk("{'role':'assistant','content':'','refusal':null}");

    [Fact]
    public void Stream_Text_ExactChunksThenDone()
    {
        var sse = EncodeStream(Plain,
            new MessageStarted("chatcmpl-1", "upstream", new Usage(10, 0)),
            new BlockStarted(0, BlockKind.Thinking),
            new BlockDelta(0, "private"),
            new BlockStopped(0),
            new BlockStarted(1, BlockKind.Text),
            new BlockDelta(1, "Hel"),
            new BlockDelta(1, "lo"),
            new BlockStopped(1),
            new MessageFinished(FinishReason.StopSequence, "END", new Usage(0, 5)));

        Assert.Equal(First + Chunk("{'content':'Hel'}") + Chunk("{'content':'lo'}") + Chunk("{}", "'stop'") + "data: [DONE]\n\n", sse);
    }

    [Fact]
    public void Stream_ParallelToolCalls_IndexesCountToolCallsNotBlocks()
    {
        var sse = EncodeStream(Plain,
            new MessageStarted("1", "upstream", Usage.None),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "Checking."),
            new BlockStopped(0),
            new BlockStarted(1, BlockKind.ToolCall, "toolu_a", "get"),
            new BlockDelta(1, "{\"city\":"),
            new BlockDelta(1, "\"Oslo\"}"),
            new BlockStopped(1),
            new BlockStarted(2, BlockKind.ToolCall, "toolu_b", "put"),
            new BlockDelta(2, "{}"),
            new BlockStopped(2),
            new MessageFinished(FinishReason.ToolUse, null, Usage.None));

        Assert.Equal(First + Chunk("{'content':'Checking.'}")
            + Chunk("{'tool_calls':[{'index':0,'id':'toolu_a','type':'function','function':{'name':'get','arguments':''}}]}")
            + Chunk("{'tool_calls':[{'index':0,'function':{'arguments':'{\\'city\\':'}}]}")
            + Chunk("{'tool_calls':[{'index':0,'function':{'arguments':'\\'Oslo\\'}'}}]}")
            + Chunk("{'tool_calls':[{'index':1,'id':'toolu_b','type':'function','function':{'name':'put','arguments':''}}]}")
            + Chunk("{'tool_calls':[{'index':1,'function':{'arguments':'{}'}}]}")
            + Chunk("{}", "'tool_calls'")
            + "data: [DONE]\n\n", sse);
    }

    [Fact]
    public void Stream_IncludeUsage_NullUsageOnChunksThenUsageChunkWithMergedInput()
    {
        var sse = EncodeStream(WithUsage,
            new MessageStarted("1", "upstream", new Usage(100, 1, CachedInputTokens: 80)),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "Hi"),
            new BlockStopped(0),
            new MessageFinished(FinishReason.MaxTokens, null, new Usage(0, 7)));

        var nullUsage = Q(",'usage':null");
        Assert.Equal(Chunk("{'role':'assistant','content':'','refusal':null}", usage: nullUsage) + Chunk("{'content':'Hi'}", usage: nullUsage)
            + Chunk("{}", "'length'", nullUsage)
            + Q("data: {'id':'chatcmpl-1','object':'chat.completion.chunk','created':" + Created + ",'model':'client-model','choices':[],"
                + "'usage':{'prompt_tokens':100,'completion_tokens':7,'total_tokens':107,'prompt_tokens_details':{'cached_tokens':80},"
                + "'completion_tokens_details':{'reasoning_tokens':0}}}\n\n")
            + "data: [DONE]\n\n", sse);
    }

    [Fact]
    public void Stream_WithoutMessageStarted_SynthesizesFirstChunk()
    {
        var sse = EncodeStream(Plain, new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "x"));
        var lines = sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(Q("'id':'chatcmpl-gw"), lines[0], StringComparison.Ordinal);
        Assert.Contains(Q("'delta':{'role':'assistant','content':'','refusal':null}"), lines[0], StringComparison.Ordinal);
        Assert.Contains(Q("'delta':{'content':'x'}"), lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_ErrorMidStream_ErrorEventAndNothingAfter()
    {
        var sse = EncodeStream(Plain,
            new MessageStarted("1", "upstream", Usage.None),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "par"),
            new StreamFailed(new ApiFault(529, FaultKind.Overloaded, "Overloaded")),
            new MessageFinished(FinishReason.EndTurn, null, Usage.None));

        Assert.Equal(First + Chunk("{'content':'par'}")
            + Q("data: {'error':{'message':'Overloaded','type':'server_error','param':null,'code':null}}\n\n"), sse);
    }
}
