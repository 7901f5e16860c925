using ControlPlane.Contracts;
using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Gemini;

namespace ControlPlane.Gateway.Tests.Translation.Gemini;

public sealed class GeminiStreamDecoderTests
{
    /// <summary>Feeds raw SSE bytes through the real parser and the decoder; returns the events and Complete's verdict.</summary>
    private static (List<StreamEvent> Events, bool Complete) Run(string sse)
    {
        var parser = new SseParser();
        var sseEvents = new List<SseEvent>();
        parser.Feed(Encoding.UTF8.GetBytes(sse), sseEvents);
        var decoder = new GeminiCodec().CreateStreamDecoder();
        var output = new List<StreamEvent>();
        foreach (var sseEvent in sseEvents)
        {
            decoder.Decode(sseEvent, output);
        }

        return (output, decoder.Complete(output));
    }

    [Fact]
    public void Decode_CrlfFramedTextThenFunctionCall_OpensClosesBlocksInOrderWithLastUsage()
    {
        const string sse =
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Let me \"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":2,\"totalTokenCount\":14},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}\r\n\r\n" +
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"check.\"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":4,\"totalTokenCount\":16},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}\r\n\r\n" +
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}}}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":12,\"candidatesTokenCount\":9,\"thoughtsTokenCount\":30,\"cachedContentTokenCount\":8,\"totalTokenCount\":51},\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}\r\n\r\n";

        var (events, complete) = Run(sse);

        Assert.True(complete);
        Assert.Equal(
            new StreamEvent[]
            {
                new MessageStarted("r1", "gemini-2.5-flash", new Usage(12, 0)),
                new BlockStarted(0, BlockKind.Text),
                new BlockDelta(0, "Let me "),
                new BlockDelta(0, "check."),
                new BlockStopped(0),
                new BlockStarted(1, BlockKind.ToolCall, "call_r1_0", "get_weather"),
                new BlockDelta(1, """{"city":"Paris"}"""),
                new BlockStopped(1),
                new MessageFinished(FinishReason.ToolUse, null, new Usage(12, 39, CachedInputTokens: 8, ReasoningTokens: 30)),
            },
            events);
    }

    [Fact]
    public void Decode_ThoughtThenText_UsesAThinkingBlockThenATextBlock()
    {
        const string sse =
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hmm\",\"thought\":true}]}}],\"responseId\":\"r2\"}\n\n" +
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Yes\"}]},\"finishReason\":\"STOP\"}],\"responseId\":\"r2\"}\n\n";

        var (events, complete) = Run(sse);

        Assert.True(complete);
        Assert.Equal(
            new StreamEvent[]
            {
                new MessageStarted("r2", "", Usage.None),
                new BlockStarted(0, BlockKind.Thinking),
                new BlockDelta(0, "Hmm"),
                new BlockStopped(0),
                new BlockStarted(1, BlockKind.Text),
                new BlockDelta(1, "Yes"),
                new BlockStopped(1),
                new MessageFinished(FinishReason.EndTurn, null, Usage.None),
            },
            events);
    }

    [Fact]
    public void Decode_ParallelFunctionCallsInOneChunk_AreTwoBlocks()
    {
        const string sse =
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"name\":\"a\",\"args\":{}}},{\"functionCall\":{\"name\":\"b\",\"args\":{\"x\":1}}}]},\"finishReason\":\"STOP\"}],\"responseId\":\"p\"}\n\n";

        var (events, _) = Run(sse);

        Assert.Equal(new BlockStarted(0, BlockKind.ToolCall, "call_p_0", "a"), events[1]);
        Assert.Equal(new BlockStarted(1, BlockKind.ToolCall, "call_p_1", "b"), events[4]);
        Assert.Equal(new BlockDelta(1, """{"x":1}"""), events[5]);
        Assert.Equal(FinishReason.ToolUse, Assert.IsType<MessageFinished>(events[^1]).Finish);
    }

    [Fact]
    public void Decode_MaxTokensFinish_IsMaxTokens()
    {
        var (events, complete) = Run("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Once upon\"}]},\"finishReason\":\"MAX_TOKENS\"}]}\n\n");

        Assert.True(complete);
        Assert.Equal(FinishReason.MaxTokens, Assert.IsType<MessageFinished>(events[^1]).Finish);
    }

    [Fact]
    public void Decode_SafetyFinishWithoutContent_IsRefusal()
    {
        var (events, complete) = Run(
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"I\"}]}}]}\n\n" +
            "data: {\"candidates\":[{\"finishReason\":\"SAFETY\",\"safetyRatings\":[{\"category\":\"HARM_CATEGORY_DANGEROUS_CONTENT\",\"probability\":\"HIGH\",\"blocked\":true}]}]}\n\n");

        Assert.True(complete);
        Assert.Equal(new BlockStopped(0), events[^2]);
        Assert.Equal(FinishReason.Refusal, Assert.IsType<MessageFinished>(events[^1]).Finish);
    }

    [Fact]
    public void Decode_BlockedPrompt_IsACompleteRefusalWithNoBlocks()
    {
        var (events, complete) = Run("data: {\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},\"usageMetadata\":{\"promptTokenCount\":5},\"responseId\":\"b\"}\n\n");

        Assert.True(complete);
        Assert.Equal(
            new StreamEvent[] { new MessageStarted("b", "", new Usage(5, 0)), new MessageFinished(FinishReason.Refusal, null, new Usage(5, 0)) },
            events);
    }

    [Fact]
    public void Complete_WithoutFinishReason_ClosesTheBlockButReportsTruncation()
    {
        var (events, complete) = Run("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Half\"}]}}]}\n\n");

        Assert.False(complete);
        Assert.Equal(new BlockStopped(0), events[^2]);
        Assert.IsType<MessageFinished>(events[^1]);
    }

    [Fact]
    public void Decode_ErrorChunkMidStream_ClosesTheBlockAndFails()
    {
        var (events, complete) = Run(
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}]}}]}\n\n" +
            "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\n\n");

        Assert.False(complete);
        Assert.Equal(new BlockStopped(0), events[^2]);
        Assert.Equal(new StreamFailed(new ApiFault(503, FaultKind.Overloaded, "The model is overloaded."), Outcomes.Overloaded), events[^1]);
    }

    [Fact]
    public void Decode_EmptyTextParts_OpenNoBlock()
    {
        var (events, _) = Run("data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\",\"thoughtSignature\":\"abc\"}]},\"finishReason\":\"STOP\"}]}\n\n");

        Assert.Equal(2, events.Count);
        Assert.Equal(FinishReason.EndTurn, Assert.IsType<MessageFinished>(events[1]).Finish);
    }

    [Fact]
    public void Decode_NotJson_IsMalformed()
    {
        Assert.Throws<MalformedResponseException>(() => Run("data: {nope\n\n"));
    }
}
