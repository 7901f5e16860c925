using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing.Usage;

namespace ControlPlane.Service.Tests.Probing.Usage;

/// <summary>Streamed answers, event data as each API sends it, in order.</summary>
public sealed class StreamUsageTrackerTests
{
    private static ProbeUsage? ReadAll(ProviderKind kind, params string[] events)
    {
        var tracker = new StreamUsageTracker(kind);
        foreach (var data in events)
        {
            tracker.Read(data);
        }

        return tracker.Usage;
    }

    [Fact]
    public void Read_AnthropicStream_TakesInputFromMessageStartAndFinalOutputFromMessageDelta()
    {
        var usage = ReadAll(
            ProviderKind.Anthropic,
            """{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}""",
            """{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""",
            """{"type":"ping"}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}""",
            """{"type":"content_block_stop","index":0}""",
            """{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":15}}""",
            """{"type":"message_stop"}""");

        Assert.Equal(new ProbeUsage(25, 15, 0), usage);
    }

    [Fact]
    public void Read_AnthropicMessageDeltaWithCumulativeInput_ReplacesTheStartCounts()
    {
        // Server tools: the final message_delta repeats every count, cumulatively.
        var usage = ReadAll(
            ProviderKind.Anthropic,
            """{"type":"message_start","message":{"usage":{"input_tokens":10,"cache_read_input_tokens":50,"output_tokens":1}}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}""",
            """{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":300,"output_tokens":40}}""",
            """{"type":"message_stop"}""");

        Assert.Equal(new ProbeUsage(350, 40, 0), usage);
    }

    [Fact]
    public void Read_AnthropicStreamBrokenAfterStart_KeepsWhatMessageStartReported()
    {
        var usage = ReadAll(
            ProviderKind.Anthropic,
            """{"type":"message_start","message":{"usage":{"input_tokens":25,"output_tokens":1}}}""",
            """{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}""",
            """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""");

        Assert.Equal(new ProbeUsage(25, 1, 0), usage);
    }

    [Fact]
    public void Read_OpenAIStreamWithIncludeUsage_ReadsTheLastChunkWithEmptyChoices()
    {
        var usage = ReadAll(
            ProviderKind.OpenAI,
            """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"o4-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"o4-mini","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":null}""",
            """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"o4-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""",
            """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"o4-mini","choices":[],"usage":{"prompt_tokens":8,"completion_tokens":70,"total_tokens":78,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":64}}}""",
            "[DONE]");

        Assert.Equal(new ProbeUsage(8, 6, 64), usage);
    }

    [Fact]
    public void Read_OpenAIStreamWithoutUsageChunk_IsNull()
    {
        // A server that ignores stream_options: nothing reported, nothing guessed.
        var usage = ReadAll(
            ProviderKind.OpenAICompatible,
            """{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""",
            """{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}""",
            "[DONE]");

        Assert.Null(usage);
    }

    [Fact]
    public void Read_GeminiStream_TakesTheLastChunksUsageMetadata()
    {
        var usage = ReadAll(
            ProviderKind.Gemini,
            """{"candidates":[{"content":{"parts":[{"text":"Hel"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":6,"totalTokenCount":6},"modelVersion":"gemini-2.5-flash"}""",
            """{"candidates":[{"content":{"parts":[{"text":"lo"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":6,"candidatesTokenCount":2,"totalTokenCount":30,"thoughtsTokenCount":22},"modelVersion":"gemini-2.5-flash"}""");

        Assert.Equal(new ProbeUsage(6, 2, 22), usage);
    }

    [Fact]
    public void Read_NonJsonAndMalformedEvents_LeaveTheUsageAsItWas()
    {
        var tracker = new StreamUsageTracker(ProviderKind.Gemini);
        tracker.Read("""{"candidates":[],"usageMetadata":{"promptTokenCount":6,"candidatesTokenCount":1}}""");

        tracker.Read("""{"candidates":[{"content":""");
        tracker.Read(": keep-alive");

        Assert.Equal(new ProbeUsage(6, 1, 0), tracker.Usage);
    }
}
