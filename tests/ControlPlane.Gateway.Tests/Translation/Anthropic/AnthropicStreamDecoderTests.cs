using ControlPlane.Contracts;
using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;

namespace ControlPlane.Gateway.Tests.Translation.Anthropic;

public sealed class AnthropicStreamDecoderTests
{
    /// <summary>Feeds a whole SSE text through the parser and a fresh decoder; returns the events and Complete()'s verdict.</summary>
    internal static (List<StreamEvent> Events, bool Complete) DecodeAll(string sse)
    {
        var parser = new SseParser();
        var sseEvents = new List<SseEvent>();
        parser.Feed(Encoding.UTF8.GetBytes(sse), sseEvents);
        var decoder = new AnthropicCodec().CreateStreamDecoder();
        var events = new List<StreamEvent>();
        foreach (var sseEvent in sseEvents)
        {
            decoder.Decode(sseEvent, events);
        }

        var complete = decoder.Complete(events);
        return (events, complete);
    }

    [Fact]
    public void Decode_RealTextStreamWithPing()
    {
        var (events, complete) = DecodeAll("""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type": "ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}

            event: message_stop
            data: {"type":"message_stop"}


            """);

        Assert.True(complete);
        Assert.Equal<StreamEvent>(
            [
                new MessageStarted("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "claude-sonnet-4-5-20250929", new Usage(25, 1, 0, 0)),
                new BlockStarted(0, BlockKind.Text),
                new BlockDelta(0, "Hello"),
                new BlockDelta(0, "!"),
                new BlockStopped(0),
                new MessageFinished(FinishReason.EndTurn, null, new Usage(25, 15, 0, 0)),
            ],
            events);
    }

    [Fact]
    public void Decode_ThinkingThenToolUse_WithArgumentDeltasAndIgnoredSignature()
    {
        var (events, complete) = DecodeAll("""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","content":[],"model":"claude-opus-4-1","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":10,"cache_creation_input_tokens":5,"cache_read_input_tokens":400,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Need weather."}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"redacted_thinking","data":"EmwKAhgB"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: content_block_start
            data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":2}

            event: content_block_start
            data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":3}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

            event: message_stop
            data: {"type":"message_stop"}


            """);

        Assert.True(complete);
        Assert.Equal<StreamEvent>(
            [
                new MessageStarted("msg_2", "claude-opus-4-1", new Usage(415, 1, 400, 5)),
                new BlockStarted(0, BlockKind.Thinking),
                new BlockDelta(0, "Need weather."),
                new BlockStopped(0),
                new BlockStarted(1, BlockKind.ToolCall, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather"),
                new BlockDelta(1, "{\"location\": \"San Fra"),
                new BlockDelta(1, "ncisco, CA\"}"),
                new BlockStopped(1),
                new BlockStarted(2, BlockKind.ToolCall, "toolu_02", "get_time"),
                new BlockDelta(2, "{}"),
                new BlockStopped(2),
                new MessageFinished(FinishReason.ToolUse, null, new Usage(415, 89, 400, 5)),
            ],
            events);
    }

    [Fact]
    public void Decode_StopSequenceAndMaxTokens()
    {
        const string Start = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_3","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}


            """;

        var (stop, _) = DecodeAll(Start + """
            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"###"},"usage":{"output_tokens":7}}

            event: message_stop
            data: {"type":"message_stop"}


            """);
        var (max, _) = DecodeAll(Start + """
            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":100}}

            event: message_stop
            data: {"type":"message_stop"}


            """);

        Assert.Equal(new MessageFinished(FinishReason.StopSequence, "###", new Usage(3, 7)), stop[^1]);
        Assert.Equal(new MessageFinished(FinishReason.MaxTokens, null, new Usage(3, 100)), max[^1]);
    }

    [Fact]
    public void Decode_OverloadedErrorAsFirstEvent_IsStreamFailedWith529()
    {
        var (events, complete) = DecodeAll("""
            event: error
            data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


            """);

        Assert.False(complete);
        Assert.Equal<StreamEvent>([new StreamFailed(new ApiFault(529, FaultKind.Overloaded, "Overloaded"), Outcomes.Overloaded)], events);
    }

    [Fact]
    public void Decode_ErrorMidStream_ClosesNothingAndIsIncomplete()
    {
        var (events, complete) = DecodeAll("""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_4","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Par"}}

            event: error
            data: {"type":"error","error":{"type":"api_error","message":"Internal server error"}}


            """);

        Assert.False(complete);
        Assert.Equal(new StreamFailed(new ApiFault(500, FaultKind.Server, "Internal server error")), events[3]);
        Assert.Equal(new BlockStopped(0), events[^1]); // Complete() still closes the open block
    }

    [Fact]
    public void Complete_WithoutMessageStop_IsFalse()
    {
        var (events, complete) = DecodeAll("""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_5","type":"message","role":"assistant","content":[],"model":"m","usage":{"input_tokens":3,"output_tokens":1}}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}


            """);

        Assert.False(complete);
        Assert.IsType<MessageStarted>(Assert.Single(events));
    }

    [Fact]
    public void Decode_RefusalAndNewerUsageInMessageDelta()
    {
        var (events, _) = DecodeAll("""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_6","type":"message","role":"assistant","content":[],"model":"m","usage":{"input_tokens":0,"output_tokens":0}}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},"usage":{"input_tokens":20,"cache_read_input_tokens":30,"output_tokens":4}}

            event: message_stop
            data: {"type":"message_stop"}


            """);

        Assert.Equal(new MessageFinished(FinishReason.Refusal, null, new Usage(50, 4, 30, null)), events[^1]);
    }

    [Fact]
    public void Decode_InvalidJson_IsMalformed()
    {
        var decoder = new AnthropicStreamDecoder();

        Assert.Throws<MalformedResponseException>(() => decoder.Decode(new SseEvent("content_block_delta", "{not json"u8.ToArray()), []));
    }
}
