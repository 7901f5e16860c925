using ControlPlane.Contracts.Providers;
using ControlPlane.Service.Probing;

namespace ControlPlane.Service.Tests.Probing;

/// <summary>Where a stream says it stopped at the request's own output limit, per API, as the providers send it.</summary>
public sealed class StreamEventReaderTests
{
    [Fact]
    public void OpenAI_FinishReasonLength_IsCutShortWithoutContent()
    {
        var reader = new StreamEventReader(ProviderKind.OpenAI);

        reader.Read("", """{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""");
        reader.Read("", """{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}""");

        Assert.True(reader.CutShort);
        Assert.False(reader.SawContent);
    }

    [Fact]
    public void OpenAI_FinishReasonStop_IsNotCutShort()
    {
        var reader = new StreamEventReader(ProviderKind.OpenAI);

        reader.Read("", """{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"OK"},"finish_reason":"stop"}]}""");

        Assert.False(reader.CutShort);
        Assert.True(reader.SawContent);
    }

    [Fact]
    public void Gemini_MaxTokensWithoutParts_IsCutShortAndEndsCleanly()
    {
        var reader = new StreamEventReader(ProviderKind.Gemini);

        reader.Read("", """{"candidates":[{"content":{"role":"model"},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":10,"thoughtsTokenCount":16,"totalTokenCount":26}}""");

        Assert.True(reader.CutShort);
        Assert.True(reader.EndedCleanly);
        Assert.False(reader.SawContent);
    }

    [Fact]
    public void Anthropic_StopReasonMaxTokens_IsCutShort()
    {
        var reader = new StreamEventReader(ProviderKind.Anthropic);

        reader.Read("message_delta", """{"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":16}}""");

        Assert.True(reader.CutShort);
    }

    [Fact]
    public void Anthropic_StopReasonEndTurn_IsNotCutShort()
    {
        var reader = new StreamEventReader(ProviderKind.Anthropic);

        reader.Read("message_delta", """{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}""");

        Assert.False(reader.CutShort);
    }
}
