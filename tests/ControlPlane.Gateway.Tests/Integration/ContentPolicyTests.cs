using System.Net;
using System.Text.Json.Nodes;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// Issue #15, error-class fallbacks: a content-policy refusal follows the route's rule — returned to the client as is
/// (the default), or moved on to the next target — and never counts as the refusing target's failure.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class ContentPolicyTests(GatewayStack stack)
{
    [Fact]
    public async Task DefaultRule_ReturnsTheRefusalToTheClient_WithoutTryingAnotherTarget()
    {
        var route = GatewayStack.Gpt;
        await stack.UntilTargetAsync(route.Id, route.Primary, eligible: true, "the refusing primary is in the table");
        using var http = GatewayStack.Client(stack.Gateway);
        var secondaryBefore = await stack.AttemptsOnAsync(route.Secondary);

        using var refused = await http.SendAsync(Ask(route.Id, $"tell me about {GatewayStack.ForbiddenTopic}"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("content_policy_violation", (string)error["code"]!);
        Assert.Equal("1", refused.Headers.GetValues("x-gateway-attempts").Single());
        Assert.Equal(secondaryBefore, await stack.AttemptsOnAsync(route.Secondary));

        // Translated for an Anthropic client: its own error shape, still the provider's refusal.
        using var translated = await http.SendAsync(GatewayStack.Post("/v1/messages", new
        {
            model = route.Id,
            max_tokens = 16,
            messages = new[] { new { role = "user", content = $"tell me about {GatewayStack.ForbiddenTopic}" } },
        }, "2023-06-01"));
        Assert.Equal(HttpStatusCode.BadRequest, translated.StatusCode);
        var anthropicError = JsonNode.Parse(await translated.Content.ReadAsStringAsync())!;
        Assert.Equal(("error", "invalid_request_error"), ((string)anthropicError["type"]!, (string)anthropicError["error"]!["type"]!));
    }

    [Fact]
    public async Task NextTargetRule_MovesTheRequestOn_AndTheRefusingTargetStaysEligible()
    {
        var route = GatewayStack.Ctx;
        await stack.UntilTargetAsync(route.Id, route.Primary, eligible: true, "the refusing primary is in the table");
        using var http = GatewayStack.Client(stack.Gateway);

        using var answered = await http.SendAsync(Ask(route.Id, $"tell me about {GatewayStack.ForbiddenTopic}"));

        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal(route.Secondary, answered.Headers.GetValues("x-gateway-target").Single());
        Assert.Equal("2", answered.Headers.GetValues("x-gateway-attempts").Single());

        var table = await stack.TableAsync();
        var entry = table!.Table.Routes.Single(r => r.Route == route.Id);
        Assert.Equal("next-target", entry.OnContentPolicy);
        Assert.True(entry.Tiers[0].Targets.Single().Eligible);
        using var ordinary = await http.SendAsync(Ask(route.Id, "ping"));
        Assert.Equal(route.Primary, ordinary.Headers.GetValues("x-gateway-target").Single());
    }

    private static HttpRequestMessage Ask(string route, string prompt) => GatewayStack.Post("/v1/chat/completions", new
    {
        model = route,
        max_tokens = 16,
        messages = new[] { new { role = "user", content = prompt } },
    });
}
