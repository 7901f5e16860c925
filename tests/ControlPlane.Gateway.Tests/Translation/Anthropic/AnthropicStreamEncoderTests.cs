using System.Buffers;
using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;

namespace ControlPlane.Gateway.Tests.Translation.Anthropic;

public sealed class AnthropicStreamEncoderTests
{
    private static string EncodeAll(params StreamEvent[] events)
    {
        var encoder = new AnthropicCodec().CreateStreamEncoder(new ChatRequest { Model = "client-model" });
        var output = new ArrayBufferWriter<byte>();
        foreach (var streamEvent in events)
        {
            encoder.Write(streamEvent, output);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Encode_TextAnswer_IsTheExactEventSequence()
    {
        var sse = EncodeAll(
            new MessageStarted("msg_1", "upstream", new Usage(25, 1)),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "Hello"),
            new BlockStopped(0),
            new MessageFinished(FinishReason.EndTurn, null, new Usage(0, 15)));

        Assert.Equal(
            """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"client-model","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

            event: message_stop
            data: {"type":"message_stop"}


            """.ReplaceLineEndings("\n"),
            sse);
    }

    [Fact]
    public void Encode_ThinkingAndToolCalls_LeavesOutUnsignedThinkingAndRenumbersBlocksFromZero()
    {
        var sse = EncodeAll(
            new MessageStarted("chatcmpl-1", "upstream", new Usage(10, 0)),
            new BlockStarted(3, BlockKind.Thinking),
            new BlockDelta(3, "hmm"),
            new BlockStopped(3),
            new BlockStarted(5, BlockKind.ToolCall, "call_a", "weather"),
            new BlockDelta(5, "{\"city\":"),
            new BlockDelta(5, "\"Paris\"}"),
            new BlockStopped(5),
            new BlockStarted(6, BlockKind.ToolCall, "call_b", "time"),
            new BlockStopped(6),
            new MessageFinished(FinishReason.ToolUse, null, new Usage(10, 30)));

        Assert.Contains("\"id\":\"msg_chatcmpl-1\"", sse, StringComparison.Ordinal);
        Assert.DoesNotContain("thinking", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_a","name":"weather","input":{}}}""", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}""", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_b","name":"time","input":{}}}""", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"content_block_stop","index":1}""", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":30}}""", sse, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_WithoutMessageStarted_SynthesizesOne()
    {
        var sse = EncodeAll(new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "hi"), new BlockStopped(0), new MessageFinished(FinishReason.EndTurn, null, new Usage(0, 1)));

        Assert.StartsWith("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_", sse, StringComparison.Ordinal);
        Assert.Contains("\"model\":\"client-model\"", sse, StringComparison.Ordinal);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", sse, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_StopSequenceAndCachedUsage_InMessageDelta()
    {
        var sse = EncodeAll(
            new MessageStarted("msg_1", "m", new Usage(1000, 0, 900, 0)),
            new MessageFinished(FinishReason.StopSequence, "END", new Usage(1000, 7, 900, 0)));

        Assert.Contains("\"usage\":{\"input_tokens\":100,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":900,\"output_tokens\":0}", sse, StringComparison.Ordinal);
        Assert.Contains("""data: {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":900,"output_tokens":7}}""", sse, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ErrorMidStream_IsAnErrorEventAndEndsTheStream()
    {
        var sse = EncodeAll(
            new MessageStarted("msg_1", "m", Usage.None),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "Par"),
            new StreamFailed(new ApiFault(529, FaultKind.Overloaded, "Overloaded")),
            new MessageFinished(FinishReason.EndTurn, null, Usage.None));

        Assert.EndsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", sse, StringComparison.Ordinal);
        Assert.DoesNotContain("message_stop", sse, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_FinishWithBlockStillOpen_ClosesItFirst()
    {
        var sse = EncodeAll(new MessageStarted("msg_1", "m", Usage.None), new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "x"), new MessageFinished(FinishReason.MaxTokens, null, new Usage(0, 1)));

        Assert.Contains("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\nevent: message_delta", sse, StringComparison.Ordinal);
        Assert.Contains("\"stop_reason\":\"max_tokens\"", sse, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_NonAsciiText_IsNotEscaped()
    {
        var sse = EncodeAll(new MessageStarted("msg_1", "m", Usage.None), new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "café 東京 <b>"));

        Assert.Contains("\"text\":\"café 東京 <b>\"", sse, StringComparison.Ordinal);
    }

    [Fact]
    public void RoundTrip_EncoderOutputDecodesToTheSameEvents()
    {
        StreamEvent[] events =
        [
            new MessageStarted("msg_rt", "client-model", new Usage(1200, 1, 1000, 100)),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "Calling two tools."),
            new BlockStopped(0),
            new BlockStarted(1, BlockKind.ToolCall, "toolu_a", "weather"),
            new BlockDelta(1, "{\"city\":"),
            new BlockDelta(1, "\"Paris\"}"),
            new BlockStopped(1),
            new BlockStarted(2, BlockKind.ToolCall, "toolu_b", "time"),
            new BlockDelta(2, "{}"),
            new BlockStopped(2),
            new MessageFinished(FinishReason.ToolUse, null, new Usage(1200, 42, 1000, 100)),
        ];

        var (decoded, complete) = AnthropicStreamDecoderTests.DecodeAll(EncodeAll(events));

        Assert.True(complete);
        Assert.Equal(events, decoded);
    }
}
