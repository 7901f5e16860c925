using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers;

/// <summary>A provider configured to refuse a phrase answers it with its API's real content-policy error.</summary>
public sealed class ContentPolicyApiTests : IAsyncLifetime
{
    private const string Phrase = "forbidden-topic";

    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync(configure: options =>
        options.Providers.ForEach(p => p.RefusedPhrases = [Phrase]));

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task OpenAi_RefusedPhrase_ContentPolicyViolation()
    {
        var error = await ErrorAsync(TestSimulator.OpenAi, "v1/chat/completions", new JsonObject
        {
            ["model"] = TestSimulator.OpenAiModel,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"about the FORBIDDEN-TOPIC" }),
        });

        Assert.Equal(("invalid_request_error", "content_policy_violation"), ((string)error["error"]!["type"]!, (string)error["error"]!["code"]!));
    }

    [Fact]
    public async Task Anthropic_RefusedPhrase_BlockedByContentFilteringPolicy()
    {
        var error = await ErrorAsync(TestSimulator.Anthropic, "v1/messages", new JsonObject
        {
            ["model"] = TestSimulator.AnthropicModel,
            ["max_tokens"] = 16,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"about the {Phrase}" }),
        });

        Assert.Equal(("invalid_request_error", "Output blocked by content filtering policy"),
            ((string)error["error"]!["type"]!, (string)error["error"]!["message"]!));
    }

    [Fact]
    public async Task OtherPrompts_AreAnswered()
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
