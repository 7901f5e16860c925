using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers;

/// <summary>
/// A prompt longer than the model's context window gets each API's real 400, worded as the real API words it (the
/// gateway's classifier reads these texts); a prompt that fits is answered. Windows are set small for the test.
/// </summary>
public sealed class ContextWindowApiTests : IAsyncLifetime
{
    private const int Window = 100;

    // About 4 characters a token: 2,000 characters is about 500 tokens, five times the window.
    private static readonly string LongPrompt = string.Concat(Enumerable.Repeat("lorem ipsum ", 170));

    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync(configure: options =>
    {
        foreach (var provider in options.Providers)
        {
            provider.ContextWindows = provider.Models.ToDictionary(m => m, _ => Window);
        }
    });

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Anthropic_PromptOverTheWindow_PromptIsTooLong()
    {
        var body = new JsonObject
        {
            ["model"] = TestSimulator.AnthropicModel,
            ["max_tokens"] = 16,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = LongPrompt }),
        };
        var error = await ErrorAsync(TestSimulator.Anthropic, "v1/messages", body);

        Assert.Equal("error", (string)error["type"]!);
        Assert.Equal("invalid_request_error", (string)error["error"]!["type"]!);
        Assert.Matches(@"^prompt is too long: \d+ tokens > 100 maximum$", (string)error["error"]!["message"]!);
    }

    [Fact]
    public async Task Anthropic_PromptFitsButNotWithMaxTokens_ExceedsContextLimit()
    {
        var body = new JsonObject
        {
            ["model"] = TestSimulator.AnthropicModel,
            ["max_tokens"] = 95,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "ping" }),
        };
        var error = await ErrorAsync(TestSimulator.Anthropic, "v1/messages", body);

        Assert.Matches(@"^input length and `max_tokens` exceed context limit: \d+ \+ 95 > 100, decrease input length or `max_tokens` and try again$",
            (string)error["error"]!["message"]!);
    }

    [Fact]
    public async Task OpenAi_PromptOverTheWindow_ContextLengthExceeded()
    {
        var body = new JsonObject
        {
            ["model"] = TestSimulator.OpenAiModel,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = LongPrompt }),
        };
        var error = (await ErrorAsync(TestSimulator.OpenAi, "v1/chat/completions", body))["error"]!;

        Assert.Equal(("invalid_request_error", "messages", "context_length_exceeded"),
            ((string)error["type"]!, (string)error["param"]!, (string)error["code"]!));
        Assert.Matches(@"^This model's maximum context length is 100 tokens\. However, your messages resulted in \d+ tokens\.", (string)error["message"]!);
    }

    [Fact]
    public async Task Gemini_PromptOverTheWindow_InputTokenCountExceeds()
    {
        var body = new JsonObject
        {
            ["contents"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["parts"] = new JsonArray(new JsonObject { ["text"] = LongPrompt }),
            }),
        };
        var error = (await ErrorAsync(TestSimulator.Gemini, $"v1beta/models/{TestSimulator.GeminiModel}:generateContent", body))["error"]!;

        Assert.Equal((400, "INVALID_ARGUMENT"), ((int)error["code"]!, (string)error["status"]!));
        Assert.Matches(@"^The input token count \(\d+\) exceeds the maximum number of tokens allowed \(100\)\.$", (string)error["message"]!);
    }

    [Fact]
    public async Task ShortPrompt_WithinTheWindow_IsAnswered()
    {
        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.OpenAi));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonNode> ErrorAsync(string provider, string path, JsonObject body)
    {
        using var response = await _sim.SendAsync(_sim.Raw(provider, path, body.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonNode>())!;
    }
}
