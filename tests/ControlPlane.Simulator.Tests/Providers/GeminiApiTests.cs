using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers;

public sealed class GeminiApiTests : IAsyncLifetime
{
    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task GenerateContent_ReturnsGenerateContentResponseShape()
    {
        using var response = await _sim.SendAsync(_sim.GeminiGenerate());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var candidate = body["candidates"]![0]!;
        Assert.Equal("model", (string)candidate["content"]!["role"]!);
        Assert.Equal("pong", (string)candidate["content"]!["parts"]![0]!["text"]!);
        Assert.Equal("STOP", (string)candidate["finishReason"]!);
        var usage = body["usageMetadata"]!;
        // gemini-2.5-flash thinks (dynamically, with no thinkingConfig); the total includes the thoughts.
        Assert.Equal(
            (int)usage["promptTokenCount"]! + (int)usage["candidatesTokenCount"]! + (int)usage["thoughtsTokenCount"]!,
            (int)usage["totalTokenCount"]!);
        Assert.Equal(TestSimulator.GeminiModel, (string)body["modelVersion"]!);
    }

    [Fact]
    public async Task StreamGenerateContent_AltSse_StreamsResponsesWithFinishReasonOnLast()
    {
        using var response = await _sim.SendAsync(_sim.GeminiGenerate(stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = await Sse.ReadAllAsync(response);
        Assert.True(frames.Count >= 2);
        Assert.Equal("pong", string.Concat(frames.Select(f => (string)f.Json["candidates"]![0]!["content"]!["parts"]![0]!["text"]!)));
        Assert.All(frames[..^1], f => Assert.Null(f.Json["candidates"]![0]!["finishReason"]));
        Assert.Equal("STOP", (string)frames[^1].Json["candidates"]![0]!["finishReason"]!);
        Assert.Equal(2, (int)frames[^1].Json["usageMetadata"]!["candidatesTokenCount"]!);
    }

    [Fact]
    public async Task StreamGenerateContent_WithoutAltSse_StreamsOneJsonArray()
    {
        using var request = _sim.GeminiGenerate(stream: true);
        request.RequestUri = new Uri(request.RequestUri!.ToString().Replace("?alt=sse", "", StringComparison.Ordinal));
        using var response = await _sim.SendAsync(request);

        var chunks = (await response.Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.Equal("pong", string.Concat(chunks.Select(c => (string)c!["candidates"]![0]!["content"]!["parts"]![0]!["text"]!)));
    }

    [Fact]
    public async Task GenerateContent_KeyInQueryString_Accepted()
    {
        using var request = _sim.GeminiGenerate(key: null);
        request.RequestUri = new Uri(request.RequestUri + "?key=" + TestSimulator.GeminiKey);
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task GenerateContent_MissingOrWrongKey_401InGoogleShape(string? key)
    {
        using var response = await _sim.SendAsync(_sim.GeminiGenerate(key: key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal(401, (int)error["code"]!);
        Assert.Equal("UNAUTHENTICATED", (string)error["status"]!);
    }

    [Fact]
    public async Task GenerateContent_UnknownModel_404NotFound()
    {
        using var response = await _sim.SendAsync(_sim.GeminiGenerate(model: "gemini-nope"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal("NOT_FOUND", (string)error["status"]!);
        Assert.Contains("models/gemini-nope", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_ListShape()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _sim.Url(TestSimulator.Gemini, "v1beta/models"));
        request.Headers.Add("x-goog-api-key", TestSimulator.GeminiKey);
        using var response = await _sim.SendAsync(request);

        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var model = body["models"]![0]!;
        Assert.Equal($"models/{TestSimulator.GeminiModel}", (string)model["name"]!);
        Assert.Contains("generateContent", model["supportedGenerationMethods"]!.AsArray().Select(m => (string)m!));
    }

    [Fact]
    public async Task OpenAiCompatibleEndpoint_ChatCompletionsAndModels()
    {
        using var chat = await _sim.SendAsync(_sim.ChatCompletions(TestSimulator.Gemini, TestSimulator.GeminiModel, key: TestSimulator.GeminiKey, path: "v1beta/openai/chat/completions"));
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("pong", (string)(await chat.Content.ReadFromJsonAsync<JsonNode>())!["choices"]![0]!["message"]!["content"]!);

        using var request = new HttpRequestMessage(HttpMethod.Get, _sim.Url(TestSimulator.Gemini, "v1beta/openai/models"));
        request.Headers.Authorization = new("Bearer", TestSimulator.GeminiKey);
        using var models = await _sim.SendAsync(request);
        Assert.Equal("list", (string)(await models.Content.ReadFromJsonAsync<JsonNode>())!["object"]!);
    }
}
