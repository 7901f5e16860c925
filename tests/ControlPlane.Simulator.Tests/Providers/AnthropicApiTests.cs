using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers;

public sealed class AnthropicApiTests : IAsyncLifetime
{
    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Messages_NonStreaming_ReturnsMessageShape()
    {
        using var response = await _sim.SendAsync(_sim.AnthropicMessages());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.Contains("request-id"));
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.StartsWith("msg_", (string)body["id"]!, StringComparison.Ordinal);
        Assert.Equal("message", (string)body["type"]!);
        Assert.Equal("assistant", (string)body["role"]!);
        Assert.Equal(TestSimulator.AnthropicModel, (string)body["model"]!);
        Assert.Equal("text", (string)body["content"]![0]!["type"]!);
        Assert.Equal("pong", (string)body["content"]![0]!["text"]!);
        Assert.Equal("end_turn", (string)body["stop_reason"]!);
        Assert.True((int)body["usage"]!["input_tokens"]! > 0);
        Assert.Equal(2, (int)body["usage"]!["output_tokens"]!);
    }

    [Fact]
    public async Task Messages_MaxTokensOne_StopsWithMaxTokens()
    {
        using var response = await _sim.SendAsync(_sim.AnthropicMessages(maxTokens: 1));

        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("max_tokens", (string)body["stop_reason"]!);
        Assert.Equal(1, (int)body["usage"]!["output_tokens"]!);
    }

    [Fact]
    public async Task Messages_Streaming_EmitsRealEventSequenceEndingWithMessageStop()
    {
        using var response = await _sim.SendAsync(_sim.AnthropicMessages(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = await Sse.ReadAllAsync(response);
        Assert.Equal(
            ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"],
            frames.Select(f => f.Event));
        Assert.All(frames, f => Assert.Equal(f.Event, (string)f.Json["type"]!));

        var start = frames[0].Json["message"]!;
        Assert.Equal("message", (string)start["type"]!);
        Assert.Empty(start["content"]!.AsArray());
        Assert.Null(start["stop_reason"]);

        var text = string.Concat(frames.Where(f => f.Event == "content_block_delta").Select(f =>
        {
            Assert.Equal("text_delta", (string)f.Json["delta"]!["type"]!);
            return (string)f.Json["delta"]!["text"]!;
        }));
        Assert.Equal("pong", text);
        Assert.Equal("end_turn", (string)frames[^2].Json["delta"]!["stop_reason"]!);
        Assert.Equal(2, (int)frames[^2].Json["usage"]!["output_tokens"]!);
    }

    [Theory]
    [InlineData(null, "x-api-key header is required")]
    [InlineData("sim-wrong-key", "invalid x-api-key")]
    public async Task Messages_MissingOrWrongKey_401AuthenticationError(string? key, string message)
    {
        using var response = await _sim.SendAsync(_sim.AnthropicMessages(key: key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("error", (string)body["type"]!);
        Assert.Equal("authentication_error", (string)body["error"]!["type"]!);
        Assert.Equal(message, (string)body["error"]!["message"]!);
        Assert.Equal(1, _sim.Host.StatsOf(TestSimulator.Anthropic).ByOutcome["unauthorized"]);
    }

    [Fact]
    public async Task Messages_KeyAsBearerToken_Accepted()
    {
        // What the current official Anthropic SDKs send instead of x-api-key.
        using var request = _sim.AnthropicMessages(key: null);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSimulator.AnthropicKey);
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Messages_WithoutAnthropicVersion_400InvalidRequest()
    {
        using var request = _sim.AnthropicMessages();
        request.Headers.Remove("anthropic-version");
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("invalid_request_error", (string)body["error"]!["type"]!);
    }

    [Fact]
    public async Task Messages_UnknownModel_404NotFoundError()
    {
        using var response = await _sim.SendAsync(_sim.AnthropicMessages(model: "claude-nope"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("not_found_error", (string)body["error"]!["type"]!);
        Assert.Contains("claude-nope", (string)body["error"]!["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"model\": ")]
    [InlineData("{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    public async Task Messages_MalformedOrIncompleteJson_400InvalidRequest(string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _sim.Url(TestSimulator.Anthropic, "v1/messages"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", TestSimulator.AnthropicKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("invalid_request_error", (string)body["error"]!["type"]!);
    }

    [Fact]
    public async Task Models_ListShape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _sim.Url(TestSimulator.Anthropic, "v1/models"));
        request.Headers.Add("x-api-key", TestSimulator.AnthropicKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var data = body["data"]!.AsArray();
        Assert.Equal([TestSimulator.AnthropicModel, "claude-haiku-4-5"], data.Select(m => (string)m!["id"]!));
        Assert.All(data, m => Assert.Equal("model", (string)m!["type"]!));
        Assert.False((bool)body["has_more"]!);
        Assert.Equal(TestSimulator.AnthropicModel, (string)body["first_id"]!);
        Assert.Equal("claude-haiku-4-5", (string)body["last_id"]!);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ChatCompletions_OpenAiCompatibleEndpoint_AcceptsBearerOrXApiKey(bool bearer)
    {
        using var request = _sim.ChatCompletions(TestSimulator.Anthropic, TestSimulator.AnthropicModel, key: bearer ? TestSimulator.AnthropicKey : null);
        if (!bearer)
        {
            request.Headers.Add("x-api-key", TestSimulator.AnthropicKey);
        }

        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("chat.completion", (string)body["object"]!);
        Assert.Equal("pong", (string)body["choices"]![0]!["message"]!["content"]!);
    }

    [Fact]
    public async Task ChatCompletions_OpenAiCompatibleEndpoint_WrongBearer_401InOpenAiShape()
    {
        using var request = _sim.ChatCompletions(TestSimulator.Anthropic, TestSimulator.AnthropicModel, key: "wrong");
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("invalid_api_key", (string)body["error"]!["code"]!);
    }

    [Fact]
    public async Task UnknownPath_404InAnthropicShape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _sim.Url(TestSimulator.Anthropic, "v1/nothing-here"));
        request.Headers.Add("x-api-key", TestSimulator.AnthropicKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("not_found_error", (string)body["error"]!["type"]!);
    }
}
