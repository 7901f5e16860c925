using System.Text.Json;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;
using ControlPlane.Gateway.Translation.Gemini;
using ControlPlane.Gateway.Translation.OpenAiChat;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Translation;

/// <summary>
/// A request the real Claude Code CLI (2.1.332, print mode) sent, captured byte for byte (Fixtures/claude-code-request.json):
/// every field it uses must be known, so its traffic can fail over to targets of other APIs.
/// </summary>
public sealed class ClaudeCodeRequestTests
{
    private static readonly byte[] Captured = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Translation", "Fixtures", "claude-code-request.json"));

    [Fact]
    public void Decode_RealClaudeCodeRequest_HasNothingOnlyAnthropicCanServe()
    {
        var request = new AnthropicCodec().DecodeRequest(Captured);

        Assert.Empty(request.NativeOnly);
        Assert.True(request.Stream);
        Assert.Equal("claude-opus-5-5", request.Model);
        Assert.Equal(4, request.System.Count); // three system blocks, and the system turn after the user's
        Assert.Contains("system_position", request.Dropped);
        Assert.Contains("deferred_tools", request.Dropped);
        Assert.Contains("cache_control", request.Dropped);
        Assert.Contains("context_management", request.Dropped);
        Assert.Contains(request.Tools, t => t.Name == "Read");
        Assert.DoesNotContain(request.Tools, t => t.Name == "DeferredToolPlaceholder");
        Assert.Equal("medium", request.Reasoning?.Effort);
    }

    [Fact]
    public void Encode_RealClaudeCodeRequest_ForOpenAiAndGemini_CarriesEveryToolAndTheConversation()
    {
        var request = new AnthropicCodec().DecodeRequest(Captured);

        using var openAi = JsonDocument.Parse(new OpenAiChatCodec(OpenAiChatDialect.OpenAi, new FakeTimeProvider()).EncodeRequest(request, "gpt-4.1").Body);
        Assert.Equal(request.Tools.Count, openAi.RootElement.GetProperty("tools").GetArrayLength());
        Assert.Equal("system", openAi.RootElement.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal(128000, openAi.RootElement.GetProperty("max_completion_tokens").GetInt32());

        var gemini = new GeminiCodec().EncodeRequest(request, "gemini-2.5-flash");
        using var geminiBody = JsonDocument.Parse(gemini.Body);
        Assert.Equal("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", gemini.PathAndQuery);
        Assert.Equal(request.Tools.Count, geminiBody.RootElement.GetProperty("tools")[0].GetProperty("functionDeclarations").GetArrayLength());
    }
}
