using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Chaos;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers;

/// Over HTTP: a request the real API would reject is rejected with its status and error body, after auth and before
/// chaos; what real clients (Claude Code) send is accepted.
public sealed class StrictValidationApiTests : IAsyncLifetime
{
    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await _sim.SendAsync(request);
            return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonNode>())!);
        }
    }

    [Theory]
    [InlineData(TestSimulator.OpenAi, "v1/chat/completions", """{"model":"gpt-4.1","max_completion_tokens":128000,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens is too large: 128000")]
    [InlineData(TestSimulator.Anthropic, "v1/messages", """{"model":"claude-sonnet-4-5","max_tokens":128000,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens: 128000 > 64000")]
    [InlineData(TestSimulator.Gemini, "v1beta/models/gemini-2.5-flash:generateContent", """{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":128000}}""", "maxOutputTokens value of 128000")]
    public async Task OutputLimitAboveTheModels_400LikeTheRealApi(string provider, string path, string body, string message)
    {
        var (status, error) = await SendAsync(_sim.Raw(provider, path, body));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, System.Text.RegularExpressions.Regex.Unescape(error.ToJsonString()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1/messages")]
    [InlineData("v1/messages?beta=true")]
    [InlineData("v1/messages/count_tokens")]
    public async Task Anthropic_UnknownField_400ExtraInputsNotPermitted(string path)
    {
        var (status, body) = await SendAsync(_sim.Raw(TestSimulator.Anthropic, path,
            $$"""{"model":"{{TestSimulator.AnthropicModel}}","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"reasoning_effort":"high"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("error", (string)body["type"]!);
        Assert.Equal("invalid_request_error", (string)body["error"]!["type"]!);
        Assert.Equal("reasoning_effort: Extra inputs are not permitted", (string)body["error"]!["message"]!);
        Assert.Equal(1, _sim.Host.StatsOf(TestSimulator.Anthropic).ByOutcome["invalid-request"]);
    }

    [Theory]
    [InlineData("""{"role":"tool","content":"x"}""", "messages.0.role: Input should be 'user', 'assistant' or 'system'")]
    [InlineData("""{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"out"}]}""",
        "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_x. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.")]
    public async Task Anthropic_InvalidMessages_400WithRealMessage(string message, string expected)
    {
        var (status, body) = await SendAsync(_sim.Raw(TestSimulator.Anthropic, "v1/messages",
            $$"""{"model":"{{TestSimulator.AnthropicModel}}","max_tokens":16,"messages":[{{message}}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(expected, (string)body["error"]!["message"]!);
    }

    [Fact]
    public async Task Anthropic_ClaudeCodeRequestWithBetaQueryAndHeader_Accepted()
    {
        var request = _sim.Raw(TestSimulator.Anthropic, "v1/messages?beta=true", ClaudeCodeRequests.FirstTurn(stream: false));
        request.Headers.Add("anthropic-beta", ClaudeCodeRequests.Betas);

        var (status, body) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("pong", (string)body["content"]![0]!["text"]!);
    }

    [Fact]
    public async Task Anthropic_ClaudeCodeStreamingRequest_AcceptedAndStreamed()
    {
        using var request = _sim.Raw(TestSimulator.Anthropic, "v1/messages?beta=true", ClaudeCodeRequests.FirstTurn(stream: true));
        request.Headers.Add("anthropic-beta", ClaudeCodeRequests.Betas);
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message_stop", (await Sse.ReadAllAsync(response))[^1].Event);
    }

    [Fact]
    public async Task Anthropic_ThinkingBudgetAboveMaxTokens_AcceptedOnlyWithInterleavedThinkingBeta()
    {
        var (rejected, error) = await SendAsync(_sim.Raw(TestSimulator.Anthropic, "v1/messages", ClaudeCodeRequests.ToolResultTurn()));
        var accepted = _sim.Raw(TestSimulator.Anthropic, "v1/messages?beta=true", ClaudeCodeRequests.ToolResultTurn());
        accepted.Headers.Add("anthropic-beta", ClaudeCodeRequests.Betas);
        var (status, _) = await SendAsync(accepted);

        Assert.Equal(HttpStatusCode.BadRequest, rejected);
        Assert.StartsWith("`max_tokens` must be greater than `thinking.budget_tokens`.", (string)error["error"]!["message"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Anthropic_CountTokens_AnswersInputTokensWithoutMaxTokens()
    {
        var (status, body) = await SendAsync(_sim.Raw(TestSimulator.Anthropic, "v1/messages/count_tokens",
            $$"""{"model":"{{TestSimulator.AnthropicModel}}","messages":[{"role":"user","content":"how many tokens is this?"}]}"""));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["input_tokens"], body.AsObject().Select(p => p.Key));
        Assert.True((int)body["input_tokens"]! > 0);
    }

    [Fact]
    public async Task Anthropic_CountTokensUnknownModel_404()
    {
        var (status, body) = await SendAsync(_sim.Raw(TestSimulator.Anthropic, "v1/messages/count_tokens",
            """{"model":"claude-nope","messages":[{"role":"user","content":"x"}]}"""));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not_found_error", (string)body["error"]!["type"]!);
    }

    [Fact]
    public async Task Validation_RunsBeforeChaos_SoABadRequestIsRejectedEvenWhenOverloaded()
    {
        await _sim.SetChaosAsync(TestSimulator.Anthropic, new ChaosSettings { Mode = ChaosMode.Overloaded });

        var (status, _) = await SendAsync(_sim.Raw(TestSimulator.Anthropic, "v1/messages",
            $$"""{"model":"{{TestSimulator.AnthropicModel}}","messages":[{"role":"user","content":"x"}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Validation_RunsAfterAuth_SoAWrongKeyIsStill401()
    {
        var request = _sim.Raw(TestSimulator.OpenAi, "v1/chat/completions", """{"bogus":1}""");
        request.Headers.Authorization = new("Bearer", "sk-wrong");

        var (status, _) = await SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task OpenAi_UnknownField_400UnrecognizedArgument()
    {
        var (status, body) = await SendAsync(_sim.Raw(TestSimulator.OpenAi, "v1/chat/completions",
            $$$"""{"model":"{{{TestSimulator.OpenAiModel}}}","messages":[{"role":"user","content":"hi"}],"max_tokens":16,"thinking":{"type":"enabled"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
            """{"error":{"message":"Unrecognized request argument supplied: thinking","type":"invalid_request_error","param":null,"code":null}}""",
            body.ToJsonString());
    }

    [Fact]
    public async Task OpenAi_ToolCallsWithoutToolMessages_400WithParam()
    {
        var (status, body) = await SendAsync(_sim.Raw(TestSimulator.OpenAi, "v1/chat/completions", $$$"""
            {"model":"{{{TestSimulator.OpenAiModel}}}","messages":[{"role":"user","content":"hi"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"Bash","arguments":"{}"}}]},
             {"role":"user","content":"well?"}]}
            """));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body["error"]!;
        Assert.EndsWith("The following tool_call_ids did not have response messages: call_a", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Equal("messages.[1].role", (string)error["param"]!);
        Assert.Equal("invalid_request_error", (string)error["type"]!);
    }

    [Fact]
    public async Task OpenAiCompatible_UnknownFieldIgnored_ButBadRoleRejected()
    {
        var (ok, _) = await SendAsync(_sim.Raw(TestSimulator.Local, "v1/chat/completions",
            $$"""{"model":"{{TestSimulator.LocalModel}}","messages":[{"role":"user","content":"hi"}],"keep_alive":"5m"}"""));
        var (bad, body) = await SendAsync(_sim.Raw(TestSimulator.Local, "v1/chat/completions",
            $$"""{"model":"{{TestSimulator.LocalModel}}","messages":[{"role":"model","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.OK, ok);
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Equal("messages[0].role", (string)body["error"]!["param"]!);
    }

    [Fact]
    public async Task OpenAiCompatibleSurfaceOfAnthropic_StaysLenient()
    {
        var (status, _) = await SendAsync(_sim.Raw(TestSimulator.Anthropic, "v1/chat/completions",
            $$$"""{"model":"{{{TestSimulator.AnthropicModel}}}","messages":[{"role":"user","content":"hi"}],"extra_body":{}}"""));

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gemini_UnknownNestedField_400InvalidArgumentWithFieldViolations(bool stream)
    {
        var path = $"v1beta/models/{TestSimulator.GeminiModel}:" + (stream ? "streamGenerateContent?alt=sse" : "generateContent");
        var (status, body) = await SendAsync(_sim.Raw(TestSimulator.Gemini, path,
            """{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"max_tokens":16}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = body["error"]!;
        Assert.Equal(400, (int)error["code"]!);
        Assert.Equal("INVALID_ARGUMENT", (string)error["status"]!);
        Assert.Equal("Invalid JSON payload received. Unknown name \"max_tokens\" at 'generation_config': Cannot find field.", (string)error["message"]!);
        Assert.Equal("type.googleapis.com/google.rpc.BadRequest", (string)error["details"]![0]!["@type"]!);
        Assert.Equal("generation_config", (string)error["details"]![0]!["fieldViolations"]![0]!["field"]!);
    }

    [Fact]
    public async Task Gemini_AssistantRole_400()
    {
        var (status, body) = await SendAsync(_sim.Raw(TestSimulator.Gemini, $"v1beta/models/{TestSimulator.GeminiModel}:generateContent",
            """{"contents":[{"role":"user","parts":[{"text":"hi"}]},{"role":"assistant","parts":[{"text":"yo"}]}]}"""));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Please use a valid role: user, model.", (string)body["error"]!["message"]!);
    }
}
