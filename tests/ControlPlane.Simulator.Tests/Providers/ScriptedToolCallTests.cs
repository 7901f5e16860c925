using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers;

/// A [[call:Tool {args}]] directive in the last user turn makes each provider call the offered tool in its own
/// format; a tool-result turn is answered with "tool said: …".
public sealed class ScriptedToolCallTests : IAsyncLifetime
{
    private const string Directive = """[[call:Bash {\"command\":\"echo hi\",\"description\":\"say hi\"}]]""";
    private const string ToolsAnthropic = """[{"name":"Bash","input_schema":{"type":"object","properties":{"command":{"type":"string"}}}},{"name":"Read","input_schema":{"type":"object"}}]""";
    private const string ToolsOpenAi = """[{"type":"function","function":{"name":"Bash","parameters":{"type":"object"}}}]""";
    private const string ToolsGemini = """[{"functionDeclarations":[{"name":"Bash","parametersJsonSchema":{"type":"object"}}]}]""";

    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private static void AssertArguments(JsonNode? arguments)
    {
        Assert.Equal("echo hi", (string)arguments!["command"]!);
        Assert.Equal("say hi", (string)arguments["description"]!);
    }

    private HttpRequestMessage Anthropic(bool stream, string content = $"\"run it {Directive}\"", string tools = ToolsAnthropic) =>
        _sim.Raw(TestSimulator.Anthropic, "v1/messages", $$"""
            {"model":"{{TestSimulator.AnthropicModel}}","max_tokens":64,"stream":{{(stream ? "true" : "false")}},"tools":{{tools}},
             "messages":[{"role":"user","content":{{content}}}]}
            """);

    private HttpRequestMessage OpenAi(bool stream, string messages = $"[{{\"role\":\"user\",\"content\":\"run it {Directive}\"}}]") =>
        _sim.Raw(TestSimulator.OpenAi, "v1/chat/completions", $$"""
            {"model":"{{TestSimulator.OpenAiModel}}","max_completion_tokens":64,"stream":{{(stream ? "true" : "false")}},"tools":{{ToolsOpenAi}},"messages":{{messages}}}
            """);

    private HttpRequestMessage Gemini(bool stream, string contents = $"[{{\"role\":\"user\",\"parts\":[{{\"text\":\"run it {Directive}\"}}]}}]") =>
        _sim.Raw(
            TestSimulator.Gemini,
            $"v1beta/models/{TestSimulator.GeminiModel}:" + (stream ? "streamGenerateContent?alt=sse" : "generateContent"),
            $$"""{"tools":{{ToolsGemini}},"contents":{{contents}}}""");

    [Fact]
    public async Task Anthropic_Directive_ToolUseBlockWithStopReasonToolUse()
    {
        using var response = await _sim.SendAsync(Anthropic(stream: false));

        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var block = body["content"]!.AsArray().Single()!;
        Assert.Equal("tool_use", (string)block["type"]!);
        Assert.StartsWith("toolu_sim_", (string)block["id"]!, StringComparison.Ordinal);
        Assert.Equal("Bash", (string)block["name"]!);
        AssertArguments(block["input"]);
        Assert.Equal("tool_use", (string)body["stop_reason"]!);
    }

    [Fact]
    public async Task Anthropic_DirectiveStreamed_ToolUseStartThenInputJsonDeltasInPieces()
    {
        using var response = await _sim.SendAsync(Anthropic(stream: true));

        var frames = await Sse.ReadAllAsync(response);
        var start = frames.Single(f => f.Event == "content_block_start").Json["content_block"]!;
        Assert.Equal("tool_use", (string)start["type"]!);
        Assert.Equal("Bash", (string)start["name"]!);
        Assert.StartsWith("toolu_sim_", (string)start["id"]!, StringComparison.Ordinal);
        Assert.Empty(start["input"]!.AsObject());
        var deltas = frames.Where(f => f.Event == "content_block_delta").Select(f => f.Json["delta"]!).ToList();
        Assert.True(deltas.Count >= 2);
        Assert.All(deltas, d => Assert.Equal("input_json_delta", (string)d["type"]!));
        AssertArguments(JsonNode.Parse(string.Concat(deltas.Select(d => (string)d["partial_json"]!))));
        Assert.Equal("tool_use", (string)frames.Single(f => f.Event == "message_delta").Json["delta"]!["stop_reason"]!);
        Assert.Equal("message_stop", frames[^1].Event);
    }

    [Fact]
    public async Task Anthropic_DirectiveNamingToolNotOffered_Pong()
    {
        using var response = await _sim.SendAsync(Anthropic(stream: false, tools: """[{"name":"Read","input_schema":{"type":"object"}}]"""));

        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("pong", (string)body["content"]![0]!["text"]!);
        Assert.Equal("end_turn", (string)body["stop_reason"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Anthropic_ToolResultTurn_AnswersToolSaid(bool stream)
    {
        var request = _sim.Raw(TestSimulator.Anthropic, "v1/messages?beta=true", ClaudeCodeRequests.ToolResultTurn().Replace("\"stream\": false", $"\"stream\": {(stream ? "true" : "false")}", StringComparison.Ordinal));
        request.Headers.Add("anthropic-beta", ClaudeCodeRequests.Betas);
        using (request)
        using (var response = await _sim.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = stream
                ? string.Concat((await Sse.ReadAllAsync(response)).Where(f => f.Event == "content_block_delta").Select(f => (string)f.Json["delta"]!["text"]!))
                : (string)(await response.Content.ReadFromJsonAsync<JsonNode>())!["content"]![0]!["text"]!;
            Assert.Equal("tool said: README.md\nsrc", text);
        }
    }

    [Fact]
    public async Task OpenAi_Directive_ToolCallsWithFinishReasonToolCalls()
    {
        using var response = await _sim.SendAsync(OpenAi(stream: false));

        var choice = (await response.Content.ReadFromJsonAsync<JsonNode>())!["choices"]![0]!;
        Assert.Equal("tool_calls", (string)choice["finish_reason"]!);
        Assert.Null(choice["message"]!["content"]);
        var call = choice["message"]!["tool_calls"]!.AsArray().Single()!;
        Assert.StartsWith("call_sim_", (string)call["id"]!, StringComparison.Ordinal);
        Assert.Equal("function", (string)call["type"]!);
        Assert.Equal("Bash", (string)call["function"]!["name"]!);
        AssertArguments(JsonNode.Parse((string)call["function"]!["arguments"]!));
    }

    [Fact]
    public async Task OpenAi_DirectiveStreamed_FirstDeltaNamesTheCallThenArgumentsInPieces()
    {
        using var response = await _sim.SendAsync(OpenAi(stream: true));

        var frames = await Sse.ReadAllAsync(response);
        Assert.Equal("[DONE]", frames[^1].Data);
        var deltas = frames[..^1].Select(f => f.Json["choices"]![0]!).ToList();
        var first = deltas[0]["delta"]!["tool_calls"]![0]!;
        Assert.Equal(0, (int)first["index"]!);
        Assert.StartsWith("call_sim_", (string)first["id"]!, StringComparison.Ordinal);
        Assert.Equal("Bash", (string)first["function"]!["name"]!);
        var pieces = deltas.Skip(1).Select(d => d["delta"]!["tool_calls"]?[0]?["function"]?["arguments"]).OfType<JsonNode>().Select(a => (string)a!).ToList();
        Assert.True(pieces.Count >= 2);
        AssertArguments(JsonNode.Parse((string)first["function"]!["arguments"]! + string.Concat(pieces)));
        Assert.Equal("tool_calls", (string)deltas[^1]["finish_reason"]!);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAi_ToolMessages_AnswerToolSaidWithTheFirstResult(bool stream)
    {
        const string messages = """
            [{"role":"user","content":"go"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"Bash","arguments":"{}"}},{"id":"call_2","type":"function","function":{"name":"Bash","arguments":"{}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"hello from bash"},{"role":"tool","tool_call_id":"call_2","content":"second"}]
            """;
        using var response = await _sim.SendAsync(OpenAi(stream, messages));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = stream
            ? string.Concat((await Sse.ReadAllAsync(response))[..^1].Select(f => (string?)f.Json["choices"]![0]!["delta"]!["content"]))
            : (string)(await response.Content.ReadFromJsonAsync<JsonNode>())!["choices"]![0]!["message"]!["content"]!;
        Assert.Equal("tool said: hello from bash", text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gemini_Directive_FunctionCallPartWithFinishReasonStop(bool stream)
    {
        using var response = await _sim.SendAsync(Gemini(stream));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var chunk = stream ? (await Sse.ReadAllAsync(response)).Single().Json : (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var candidate = chunk["candidates"]![0]!;
        var part = candidate["content"]!["parts"]!.AsArray().Single()!;
        Assert.Equal("Bash", (string)part["functionCall"]!["name"]!);
        AssertArguments(part["functionCall"]!["args"]);
        Assert.Equal("STOP", (string)candidate["finishReason"]!);
    }

    [Fact]
    public async Task Gemini_FunctionResponse_AnswersToolSaid()
    {
        const string contents = """
            [{"role":"user","parts":[{"text":"go"}]},
             {"role":"model","parts":[{"functionCall":{"name":"Bash","args":{"command":"ls"}}}]},
             {"role":"user","parts":[{"functionResponse":{"name":"Bash","response":{"output":"a.txt b.txt"}}}]}]
            """;
        using var response = await _sim.SendAsync(Gemini(stream: false, contents));

        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("tool said: a.txt b.txt", (string)body["candidates"]![0]!["content"]!["parts"]![0]!["text"]!);
    }

    [Fact]
    public async Task LongToolResult_EchoesOnlyTheFirst200Characters()
    {
        var result = new string('r', 300);
        using var response = await _sim.SendAsync(Anthropic(stream: false,
            content: $$"""[{"type":"tool_result","tool_use_id":"toolu_x","content":"{{result}}"}]""").WithPrecedingToolUse());

        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("tool said: " + new string('r', 200), (string)body["content"]![0]!["text"]!);
    }
}

internal static class ToolUseRequests
{
    /// Puts an assistant tool_use toolu_x before the single user message, so its tool_result is valid.
    public static HttpRequestMessage WithPrecedingToolUse(this HttpRequestMessage request)
    {
        var body = JsonNode.Parse(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult())!;
        var messages = body["messages"]!.AsArray();
        var user = messages[0]!.DeepClone();
        messages.Clear();
        messages.Add(new JsonObject { ["role"] = "user", ["content"] = "go" });
        messages.Add(JsonNode.Parse("""{"role":"assistant","content":[{"type":"tool_use","id":"toolu_x","name":"Bash","input":{}}]}"""));
        messages.Add(user);
        request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        return request;
    }
}
