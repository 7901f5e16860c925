using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers;

/// Over HTTP: reasoning models are as strict as the real APIs (with their error bodies) and spend hidden reasoning
/// tokens according to the effort or budget, reported where the real APIs report them, streaming and not.
public sealed class ReasoningModelApiTests : IAsyncLifetime
{
    private const string Ping = """[{"role":"user","content":"ping"}]""";
    private const string GeminiPing = """[{"role":"user","parts":[{"text":"ping"}]}]""";

    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync(configure: o =>
    {
        o.Providers.Single(p => p.Id == TestSimulator.OpenAi).Models.AddRange(["o4-mini", "gpt-5-mini"]);
        o.Providers.Single(p => p.Id == TestSimulator.Gemini).Models.AddRange(["gemini-2.5-pro", "gemini-2.0-flash"]);
    });

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string provider, string path, string json)
    {
        using var request = _sim.Raw(provider, path, json);
        using var response = await _sim.SendAsync(request);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonNode>())!);
    }

    private async Task<List<JsonNode>> StreamAsync(string provider, string path, string json)
    {
        using var request = _sim.Raw(provider, path, json);
        using var response = await _sim.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        return text.Split('\n', StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("data: ", StringComparison.Ordinal) && l != "data: [DONE]")
            .Select(l => JsonNode.Parse(l["data: ".Length..])!)
            .ToList();
    }

    private Task<(HttpStatusCode Status, JsonNode Body)> ChatAsync(string model, string extra) =>
        PostAsync(TestSimulator.OpenAi, "v1/chat/completions", $$"""{"model":"{{model}}","messages":{{Ping}}{{extra}}}""");

    private Task<(HttpStatusCode Status, JsonNode Body)> GenerateAsync(string model, string generationConfig) =>
        PostAsync(TestSimulator.Gemini, $"v1beta/models/{model}:generateContent", $$"""{"contents":{{GeminiPing}},"generationConfig":{{generationConfig}}}""");

    private static void AssertOpenAiError(JsonNode body, string message, string? param, string? code) =>
        Assert.True(
            JsonNode.DeepEquals(new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = param, ["code"] = code } }, body),
            body.ToJsonString());

    [Fact]
    public async Task OpenAi_OSeriesWithMaxTokens_400UnsupportedParameter()
    {
        var (status, body) = await ChatAsync("o4-mini", ",\"max_tokens\":1");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertOpenAiError(body, "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "max_tokens", "unsupported_parameter");
    }

    [Fact]
    public async Task OpenAi_ReasoningModelWithTemperatureZero_400UnsupportedValue()
    {
        var (status, body) = await ChatAsync("gpt-5-mini", ",\"temperature\":0");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertOpenAiError(body, "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.", "temperature", "unsupported_value");
    }

    [Fact]
    public async Task OpenAi_ReasoningEffortOnChatModel_400UnrecognizedArgument()
    {
        var (status, body) = await ChatAsync("gpt-4o-mini", ",\"reasoning_effort\":\"low\"");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertOpenAiError(body, "Unrecognized request argument supplied: reasoning_effort", null, null);
    }

    [Fact]
    public async Task OpenAi_MinimalEffortOnOSeries_400UnsupportedValue()
    {
        var (status, body) = await ChatAsync("o4-mini", ",\"reasoning_effort\":\"minimal\"");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertOpenAiError(body, "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported values are: 'low', 'medium', and 'high'.", "reasoning_effort", "unsupported_value");
    }

    [Fact]
    public async Task OpenAi_LowEffortWithRoom_AnswersAndReportsReasoningInCompletionTokens()
    {
        var (status, body) = await ChatAsync("o4-mini", ",\"max_completion_tokens\":512,\"reasoning_effort\":\"low\"");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("pong", (string)body["choices"]![0]!["message"]!["content"]!);
        Assert.Equal("stop", (string)body["choices"]![0]!["finish_reason"]!);
        var usage = body["usage"]!;
        Assert.Equal(64, (int)usage["completion_tokens_details"]!["reasoning_tokens"]!);
        // Reasoning is included in completion_tokens: two visible tokens plus 64 hidden ones.
        Assert.Equal(66, (int)usage["completion_tokens"]!);
        Assert.Equal((int)usage["prompt_tokens"]! + 66, (int)usage["total_tokens"]!);
    }

    [Fact]
    public async Task OpenAi_MinimalEffortOnGpt5_NoReasoningTokens()
    {
        var (status, body) = await ChatAsync("gpt-5-mini", ",\"max_completion_tokens\":16,\"reasoning_effort\":\"minimal\"");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("pong", (string)body["choices"]![0]!["message"]!["content"]!);
        Assert.Equal(0, (int)body["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!);
    }

    [Fact]
    public async Task OpenAi_OneTokenLimitOnReasoningModel_EmptyAnswerWithFinishReasonLength()
    {
        // LiteLLM #26987: the one-token health check spends its token thinking and gets nothing back.
        var (status, body) = await ChatAsync("o4-mini", ",\"max_completion_tokens\":1");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("", (string)body["choices"]![0]!["message"]!["content"]!);
        Assert.Equal("length", (string)body["choices"]![0]!["finish_reason"]!);
        Assert.Equal(1, (int)body["usage"]!["completion_tokens"]!);
        Assert.Equal(1, (int)body["usage"]!["completion_tokens_details"]!["reasoning_tokens"]!);
    }

    [Fact]
    public async Task OpenAi_StreamedWithUsage_ReportsReasoningTokensInTheUsageChunk()
    {
        var chunks = await StreamAsync(TestSimulator.OpenAi, "v1/chat/completions",
            $$$"""{"model":"o4-mini","messages":{{{Ping}}},"max_completion_tokens":512,"reasoning_effort":"low","stream":true,"stream_options":{"include_usage":true}}""");

        var usage = chunks.Last()["usage"]!;
        Assert.Equal(64, (int)usage["completion_tokens_details"]!["reasoning_tokens"]!);
        Assert.Equal(66, (int)usage["completion_tokens"]!);
    }

    [Fact]
    public async Task OpenAi_StreamedReasoningExhaustsLimit_NoContentDeltaAndLength()
    {
        var chunks = await StreamAsync(TestSimulator.OpenAi, "v1/chat/completions",
            $$"""{"model":"o4-mini","messages":{{Ping}},"max_completion_tokens":1,"stream":true}""");

        Assert.DoesNotContain(chunks, c => c["choices"]![0]!["delta"]!["content"] is JsonValue v && ((string?)v)?.Length > 0);
        Assert.Equal("length", (string)chunks.Last()["choices"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task Gemini_BudgetZeroOnPro_400InvalidArgument()
    {
        var (status, body) = await GenerateAsync("gemini-2.5-pro", """{"maxOutputTokens":1,"thinkingConfig":{"thinkingBudget":0}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse("""{"error":{"code":400,"message":"Budget 0 is invalid. This model only works in thinking mode.","status":"INVALID_ARGUMENT"}}"""), body),
            body.ToJsonString());
    }

    [Fact]
    public async Task Gemini_ThinkingConfigOnNonThinkingModel_400()
    {
        var (status, body) = await GenerateAsync("gemini-2.0-flash", """{"maxOutputTokens":1,"thinkingConfig":{"thinkingBudget":0}}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Thinking is not enabled for models/gemini-2.0-flash", (string)body["error"]!["message"]!);
        Assert.Equal("INVALID_ARGUMENT", (string)body["error"]!["status"]!);
    }

    [Fact]
    public async Task Gemini_ProWithSmallestBudget_ReportsThoughtsTokenCount()
    {
        var (status, body) = await GenerateAsync("gemini-2.5-pro", """{"maxOutputTokens":256,"thinkingConfig":{"thinkingBudget":128}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("pong", (string)body["candidates"]![0]!["content"]!["parts"]![0]!["text"]!);
        var usage = body["usageMetadata"]!;
        Assert.Equal(128, (int)usage["thoughtsTokenCount"]!);
        Assert.Equal((int)usage["promptTokenCount"]! + (int)usage["candidatesTokenCount"]! + 128, (int)usage["totalTokenCount"]!);
    }

    [Fact]
    public async Task Gemini_FlashWithThinkingOff_NoThoughts()
    {
        var (status, body) = await GenerateAsync("gemini-2.5-flash", """{"maxOutputTokens":1,"thinkingConfig":{"thinkingBudget":0}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(body["usageMetadata"]!["thoughtsTokenCount"]);
    }

    [Fact]
    public async Task Gemini_Streamed_ReportsThoughtsInEveryChunk()
    {
        var chunks = await StreamAsync(TestSimulator.Gemini, "v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            """{"contents":""" + GeminiPing + ""","generationConfig":{"maxOutputTokens":256,"thinkingConfig":{"thinkingBudget":128}}}""");

        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.Equal(128, (int)c["usageMetadata"]!["thoughtsTokenCount"]!));
    }
}
