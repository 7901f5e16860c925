using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers;

public sealed class OpenAiApiTests : IAsyncLifetime
{
    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Theory]
    [InlineData(TestSimulator.OpenAi, TestSimulator.OpenAiModel, TestSimulator.OpenAiKey)]
    [InlineData(TestSimulator.Local, TestSimulator.LocalModel, null)]
    public async Task ChatCompletions_NonStreaming_ReturnsChatCompletionShape(string provider, string model, string? key)
    {
        using var response = await _sim.SendAsync(_sim.ChatCompletions(provider, model, key: key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.StartsWith("chatcmpl-", (string)body["id"]!, StringComparison.Ordinal);
        Assert.Equal("chat.completion", (string)body["object"]!);
        Assert.Equal(model, (string)body["model"]!);
        Assert.True((long)body["created"]! > 0);
        var choice = body["choices"]![0]!;
        Assert.Equal(0, (int)choice["index"]!);
        Assert.Equal("assistant", (string)choice["message"]!["role"]!);
        Assert.Equal("pong", (string)choice["message"]!["content"]!);
        Assert.Equal("stop", (string)choice["finish_reason"]!);
        var usage = body["usage"]!;
        Assert.Equal((int)usage["prompt_tokens"]! + (int)usage["completion_tokens"]!, (int)usage["total_tokens"]!);
    }

    [Fact]
    public async Task ChatCompletions_Streaming_ChunksThenDone_NoUsageUnlessAsked()
    {
        using var response = await _sim.SendAsync(_sim.ChatCompletions(TestSimulator.OpenAi, TestSimulator.OpenAiModel, stream: true, key: TestSimulator.OpenAiKey));

        var frames = await Sse.ReadAllAsync(response);
        Assert.All(frames, f => Assert.Null(f.Event));
        Assert.Equal("[DONE]", frames[^1].Data);
        var chunks = frames[..^1].Select(f => f.Json).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string)c["object"]!));
        Assert.Single(chunks.Select(c => (string)c["id"]!).Distinct());
        Assert.All(chunks, c => Assert.False(c.AsObject().ContainsKey("usage")));
        Assert.Equal("assistant", (string)chunks[0]["choices"]![0]!["delta"]!["role"]!);
        Assert.Equal("pong", string.Concat(chunks.Select(c => (string?)c["choices"]![0]!["delta"]!["content"])));
        Assert.Equal("stop", (string)chunks[^1]["choices"]![0]!["finish_reason"]!);
    }

    [Fact]
    public async Task ChatCompletions_StreamingWithIncludeUsage_EndsWithUsageChunkWithEmptyChoices()
    {
        using var response = await _sim.SendAsync(_sim.ChatCompletions(TestSimulator.OpenAi, TestSimulator.OpenAiModel, stream: true, key: TestSimulator.OpenAiKey, includeUsage: true));

        var frames = await Sse.ReadAllAsync(response);
        Assert.Equal("[DONE]", frames[^1].Data);
        var usageChunk = frames[^2].Json;
        Assert.Empty(usageChunk["choices"]!.AsArray());
        Assert.Equal(2, (int)usageChunk["usage"]!["completion_tokens"]!);
        Assert.All(frames[..^2], f =>
        {
            Assert.True(f.Json.AsObject().ContainsKey("usage"));
            Assert.Null(f.Json["usage"]);
        });
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("sk-wrong", "invalid_api_key")]
    public async Task ChatCompletions_MissingOrWrongKey_401InOpenAiShape(string? key, string? code)
    {
        using var response = await _sim.SendAsync(_sim.ChatCompletions(TestSimulator.OpenAi, TestSimulator.OpenAiModel, key: key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal("invalid_request_error", (string)error["type"]!);
        Assert.Equal(code, (string?)error["code"]);
        Assert.True(error.AsObject().ContainsKey("param"));
        Assert.False(string.IsNullOrEmpty((string)error["message"]!));
    }

    [Fact]
    public async Task ChatCompletions_UnknownModel_404ModelNotFound()
    {
        using var response = await _sim.SendAsync(_sim.ChatCompletions(TestSimulator.OpenAi, "gpt-nope", key: TestSimulator.OpenAiKey));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal("model_not_found", (string)error["code"]!);
        Assert.Contains("gpt-nope", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatCompletions_MalformedJson_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _sim.Url(TestSimulator.Local, "v1/chat/completions"))
        {
            Content = new StringContent("{not json", Encoding.UTF8, "application/json"),
        };
        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal("invalid_request_error", (string)error["type"]!);
    }

    [Theory]
    [InlineData(TestSimulator.OpenAi, TestSimulator.OpenAiKey, "openai")]
    [InlineData(TestSimulator.Local, null, "library")]
    public async Task Models_ListShape(string provider, string? key, string ownedBy)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _sim.Url(provider, "v1/models"));
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        using var response = await _sim.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("list", (string)body["object"]!);
        Assert.All(body["data"]!.AsArray(), m =>
        {
            Assert.Equal("model", (string)m!["object"]!);
            Assert.Equal(ownedBy, (string)m["owned_by"]!);
        });
    }
}
