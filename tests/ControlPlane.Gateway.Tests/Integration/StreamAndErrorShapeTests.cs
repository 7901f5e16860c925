using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>What clients see when things go wrong: error events, error bodies in their API's shape, inbound auth.</summary>
[Collection(GatewayStackCollection.Name)]
public sealed class StreamAndErrorShapeTests(GatewayStack stack)
{
    [Fact]
    public async Task UpstreamDyingMidStream_EndsTheClientsStreamWithAnErrorEventInItsFormat()
    {
        await using var breaking = await BreakingUpstream.StartAsync();

        // This gateway sends the primary's traffic to the breaking fake; the control plane still probes the
        // simulator, so the table keeps the primary and nothing before the first byte goes wrong.
        var gateway = await stack.Stack.StartGatewayAsync(GatewayStack.FastSafetyNet,
            new Dictionary<string, Uri> { [GatewayStack.Chat.PrimaryProvider] = breaking.BaseUrl });
        using var http = GatewayStack.Client(gateway);
        await stack.UntilTargetAsync(GatewayStack.Chat.Id, GatewayStack.Chat.Primary, eligible: true, "the primary is in the table");

        using var openAi = await http.SendAsync(GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest("chat", stream: true)));
        var openAiBody = await openAi.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, openAi.StatusCode);
        Assert.Contains("\"po\"", openAiBody, StringComparison.Ordinal);
        Assert.DoesNotContain("chat.compl\n", openAiBody, StringComparison.Ordinal); // the half event was held back
        var lastOpenAiEvent = openAiBody.TrimEnd().Split("\n\n")[^1];
        Assert.StartsWith("data: {\"error\":", lastOpenAiEvent, StringComparison.Ordinal);
        Assert.Equal("server_error", JsonNode.Parse(lastOpenAiEvent["data: ".Length..])!["error"]!["type"]!.GetValue<string>());

        using var anthropic = await http.SendAsync(GatewayStack.Post("/v1/messages", GatewayStack.AnthropicRequest("chat", stream: true), "2023-06-01"));
        var anthropicBody = await anthropic.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, anthropic.StatusCode);
        Assert.Contains("\"text\":\"po\"", anthropicBody, StringComparison.Ordinal);
        var lastAnthropicEvent = anthropicBody.TrimEnd().Split("\n\n")[^1];
        Assert.StartsWith("event: error\ndata: ", lastAnthropicEvent, StringComparison.Ordinal);
        Assert.Equal("error", JsonNode.Parse(lastAnthropicEvent.Split("data: ")[1])!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task RoutingErrors_ComeBackInTheShapeOfTheClientsApi()
    {
        using var http = GatewayStack.Client(stack.Gateway);

        using var unknown = await http.SendAsync(GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest("no-such-route", stream: false)));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("model_not_found", JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());

        using var unknownAnthropic = await http.SendAsync(GatewayStack.Post("/v1/messages", GatewayStack.AnthropicRequest("no-such-route", stream: false), "2023-06-01"));
        var anthropicError = JsonNode.Parse(await unknownAnthropic.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.NotFound, unknownAnthropic.StatusCode);
        Assert.Equal("error", anthropicError["type"]!.GetValue<string>());
        Assert.Equal("not_found_error", anthropicError["error"]!["type"]!.GetValue<string>());

        // A route of OpenAI targets serves the Anthropic Messages API too, translated.
        using var translated = await http.SendAsync(GatewayStack.Post("/v1/messages", GatewayStack.AnthropicRequest(GatewayStack.Gpt.Id, stream: false), "2023-06-01"));
        var translatedAnswer = JsonNode.Parse(await translated.Content.ReadAsStringAsync())!;
        Assert.Equal(HttpStatusCode.OK, translated.StatusCode);
        Assert.Equal("anthropic-messages->openai-chat", translated.Headers.GetValues("x-gateway-translated").Single());
        Assert.Equal("pong", translatedAnswer["content"]![0]!["text"]!.GetValue<string>());

        // A client mistake the provider rejects goes back as it is (the simulator wants messages)…
        using var bad = await http.SendAsync(GatewayStack.Post("/v1/chat/completions", new { model = GatewayStack.Gpt.Id }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid_request_error", JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());

        // …and one the gateway must translate is refused before any target, in the client's own API.
        using var badTranslated = await http.SendAsync(GatewayStack.Post("/v1/chat/completions", new { model = GatewayStack.Chat.Id }));
        Assert.Equal(HttpStatusCode.BadRequest, badTranslated.StatusCode);
        Assert.Contains("messages", JsonNode.Parse(await badTranslated.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var models = JsonNode.Parse(await http.GetStringAsync(new Uri("/v1/models", UriKind.Relative)))!;
        Assert.Equal(["chat", "gem", "gpt", "lim"], models["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).ToArray());
    }

    [Fact]
    public async Task ClientKeys_WhenConfigured_AreRequiredOnTheApi_AndAnswer401InTheApisShape()
    {
        const string key = "gw-virtual-key-for-tests";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var gateway = await stack.Stack.StartGatewayAsync(new Dictionary<string, string?> { ["Gateway__ClientKeys__0"] = hash });
        using var http = GatewayStack.Client(gateway);

        using var missing = await http.SendAsync(GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest("chat", stream: false)));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("invalid_api_key", JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>());

        var wrong = GatewayStack.Post("/v1/messages", GatewayStack.AnthropicRequest("chat", stream: false), "2023-06-01");
        wrong.Headers.Add("x-api-key", "not-the-key");
        using var wrongResponse = await http.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Equal("authentication_error", JsonNode.Parse(await wrongResponse.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());

        var right = GatewayStack.Post("/v1/messages", GatewayStack.AnthropicRequest("chat", stream: false), "2023-06-01");
        right.Headers.Add("x-api-key", key);
        using var rightResponse = await http.SendAsync(right);
        Assert.Equal(HttpStatusCode.OK, rightResponse.StatusCode);

        var bearer = GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest("chat", stream: false));
        bearer.Headers.Authorization = new("Bearer", key);
        using var bearerResponse = await http.SendAsync(bearer);
        Assert.Equal(HttpStatusCode.OK, bearerResponse.StatusCode);

        using var health = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
