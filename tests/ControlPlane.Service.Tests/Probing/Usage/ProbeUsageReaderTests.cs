using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing.Usage;

namespace ControlPlane.Service.Tests.Probing.Usage;

/// <summary>Complete (non-streamed) answers, shaped as each API sends them, pair by pair.</summary>
public sealed class ProbeUsageReaderTests
{
    [Fact]
    public void FromBody_AnthropicMessage_ReadsInputAndOutput()
    {
        const string body = """
            {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5",
             "content":[{"type":"text","text":"Hi"}],"stop_reason":"max_tokens","stop_sequence":null,
             "usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1,"service_tier":"standard"}}
            """;

        Assert.Equal(new ProbeUsage(12, 1, 0), ProbeUsageReader.FromBody(ProviderKind.Anthropic, body));
    }

    [Fact]
    public void FromBody_AnthropicWithCacheWritesAndReads_CountsThemAsInput()
    {
        const string body = """
            {"type":"message","content":[{"type":"text","text":"Hi"}],
             "usage":{"input_tokens":4,"cache_creation_input_tokens":2048,"cache_read_input_tokens":100,"output_tokens":1}}
            """;

        Assert.Equal(new ProbeUsage(2152, 1, 0), ProbeUsageReader.FromBody(ProviderKind.Anthropic, body));
    }

    [Fact]
    public void FromBody_AnthropicWithThinking_KeepsThinkingInOutputBecauseTheApiDoesNotSplitIt()
    {
        const string body = """
            {"type":"message","content":[{"type":"thinking","thinking":"...","signature":"EqQ"},{"type":"text","text":"Hi"}],
             "usage":{"input_tokens":40,"output_tokens":310}}
            """;

        Assert.Equal(new ProbeUsage(40, 310, 0), ProbeUsageReader.FromBody(ProviderKind.Anthropic, body));
    }

    [Fact]
    public void FromBody_OpenAIChatCompletion_ReadsPromptAndCompletion()
    {
        const string body = """
            {"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4.1-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":null},"logprobs":null,"finish_reason":"length"}],
             "usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10,
                      "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                      "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},
             "system_fingerprint":"fp_1"}
            """;

        Assert.Equal(new ProbeUsage(9, 1, 0), ProbeUsageReader.FromBody(ProviderKind.OpenAI, body));
    }

    [Fact]
    public void FromBody_OpenAIReasoningModel_SplitsReasoningOutOfCompletionTokens()
    {
        const string body = """
            {"id":"chatcmpl-2","object":"chat.completion","model":"o4-mini",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],
             "usage":{"prompt_tokens":8,"completion_tokens":202,"total_tokens":210,
                      "completion_tokens_details":{"reasoning_tokens":192,"audio_tokens":0}}}
            """;

        Assert.Equal(new ProbeUsage(8, 10, 192), ProbeUsageReader.FromBody(ProviderKind.OpenAI, body));
    }

    [Fact]
    public void FromBody_OpenAICompatibleServerWithoutDetails_HasNoReasoning()
    {
        // Ollama, vLLM and llama.cpp send the three plain counts only.
        const string body = """
            {"id":"chatcmpl-3","object":"chat.completion","model":"llama3.1:8b",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"length"}],
             "usage":{"prompt_tokens":11,"completion_tokens":1,"total_tokens":12}}
            """;

        Assert.Equal(new ProbeUsage(11, 1, 0), ProbeUsageReader.FromBody(ProviderKind.OpenAICompatible, body));
    }

    [Fact]
    public void FromBody_OpenAIReasoningAboveCompletion_NeverReportsNegativeOutput()
    {
        const string body = """{"choices":[{"index":0,"message":{"content":"x"}}],"usage":{"prompt_tokens":1,"completion_tokens":3,"completion_tokens_details":{"reasoning_tokens":5}}}""";

        Assert.Equal(new ProbeUsage(1, 0, 5), ProbeUsageReader.FromBody(ProviderKind.OpenAI, body));
    }

    [Fact]
    public void FromBody_GeminiWithThoughts_CountsThoughtsAsReasoningOnTopOfCandidates()
    {
        const string body = """
            {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP","index":0}],
             "usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":1,"totalTokenCount":99,"thoughtsTokenCount":91,
                              "promptTokensDetails":[{"modality":"TEXT","tokenCount":7}]},
             "modelVersion":"gemini-2.5-flash","responseId":"abc"}
            """;

        Assert.Equal(new ProbeUsage(7, 1, 91), ProbeUsageReader.FromBody(ProviderKind.Gemini, body));
    }

    [Fact]
    public void FromBody_GeminiWithToolUsePrompt_CountsItAsInput()
    {
        const string body = """
            {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"finishReason":"STOP"}],
             "usageMetadata":{"promptTokenCount":7,"candidatesTokenCount":2,"toolUsePromptTokenCount":30,"totalTokenCount":39}}
            """;

        Assert.Equal(new ProbeUsage(37, 2, 0), ProbeUsageReader.FromBody(ProviderKind.Gemini, body));
    }

    [Fact]
    public void FromBody_GeminiCutOffBeforeAnyCandidateToken_ReadsZeroOutput()
    {
        // With maxOutputTokens spent on thinking, Gemini answers MAX_TOKENS with no candidatesTokenCount at all.
        const string body = """
            {"candidates":[{"content":{"role":"model"},"finishReason":"MAX_TOKENS","index":0}],
             "usageMetadata":{"promptTokenCount":5,"totalTokenCount":37,"thoughtsTokenCount":32}}
            """;

        Assert.Equal(new ProbeUsage(5, 0, 32), ProbeUsageReader.FromBody(ProviderKind.Gemini, body));
    }

    [Theory]
    [InlineData(ProviderKind.Anthropic, """{"type":"message","content":[{"type":"text","text":"Hi"}]}""")]
    [InlineData(ProviderKind.OpenAI, """{"choices":[{"index":0,"message":{"content":"Hi"}}]}""")]
    [InlineData(ProviderKind.OpenAICompatible, """{"choices":[{"index":0,"message":{"content":"Hi"}}],"usage":null}""")]
    [InlineData(ProviderKind.Gemini, """{"candidates":[{"content":{"parts":[{"text":"Hi"}]}}]}""")]
    [InlineData(ProviderKind.OpenAI, """{"choices":[{"index":0,"message":{"content":"Hi"}}],"usage":{}}""")]
    [InlineData(ProviderKind.Anthropic, """{"type":"message","content":[""")]
    [InlineData(ProviderKind.Gemini, """[{"usageMetadata":{"promptTokenCount":1}}]""")]
    public void FromBody_AnswerWithoutUsage_IsNull(ProviderKind kind, string body)
    {
        Assert.Null(ProbeUsageReader.FromBody(kind, body));
    }

    [Fact]
    public void FromBody_NegativeOrNonNumericCounts_AreIgnored()
    {
        const string body = """{"type":"message","usage":{"input_tokens":"12","output_tokens":-3}}""";

        Assert.Null(ProbeUsageReader.FromBody(ProviderKind.Anthropic, body));
    }
}
