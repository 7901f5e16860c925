using System.Net;
using System.Text.Json.Nodes;
using ControlPlane.Gateway.Caching;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// The known-good cache under a whole-route outage: answers given while the route was healthy come back, byte for
/// byte and marked stale, once every target fails; anything not answered before gets the usual error.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class ResponseCacheTests(GatewayStack stack)
{
    private static readonly TestRoute Route = GatewayStack.Cached;

    private static readonly (string Path, bool Stream)[] Shapes =
    [
        ("/v1/messages", false),           // passthrough to the Anthropic targets
        ("/v1/messages", true),
        ("/v1/chat/completions", false),   // translated
        ("/v1/chat/completions", true),
    ];

    private static HttpRequestMessage Post(string path, bool stream, string content, bool greedy = true)
    {
        var body = new JsonObject
        {
            ["model"] = Route.Id,
            ["stream"] = stream,
            ["max_tokens"] = 16,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
        };
        if (greedy)
        {
            body["temperature"] = 0;
        }

        return GatewayStack.Post(path, body, path == "/v1/messages" ? "2023-06-01" : null);
    }

    [Fact]
    public async Task StaleIfError_EveryTargetFailing_ServesEarlierAnswersFromTheCache_AndOtherRequestsGetTheUsualError()
    {
        await stack.UntilTargetAsync(Route.Id, Route.Primary, eligible: true, "the cached route's primary starts healthy");
        using var http = GatewayStack.Client(stack.Gateway);

        var first = new List<string>();
        foreach (var (path, stream) in Shapes)
        {
            using var response = await http.SendAsync(Post(path, stream, "ping"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains(AnswerCache.Header), "a healthy stale-if-error route answers from its targets");
            first.Add(await response.Content.ReadAsStringAsync());
        }

        using (var sampled = await http.SendAsync(Post("/v1/messages", stream: false, "ping", greedy: false)))
        {
            Assert.Equal(HttpStatusCode.OK, sampled.StatusCode); // answered, but not kept: no temperature means 1
        }

        try
        {
            await stack.Stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });
            await stack.Stack.Simulator.SetChaosAsync(Route.SecondaryProvider, new ChaosSettings { Mode = ChaosMode.Overloaded });

            for (var i = 0; i < Shapes.Length; i++)
            {
                var (path, stream) = Shapes[i];
                using var response = await http.SendAsync(Post(path, stream, "ping"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("stale", Assert.Single(response.Headers.GetValues(AnswerCache.Header)));
                Assert.Equal(stream ? "text/event-stream" : "application/json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(first[i], await response.Content.ReadAsStringAsync());
            }

            // Not answered before (another prompt; a sampled request): the error of the client's API, as without a cache.
            using var anthropic = await http.SendAsync(Post("/v1/messages", stream: false, "something else"));
            var anthropicError = JsonNode.Parse(await anthropic.Content.ReadAsStringAsync())!;
            Assert.Equal(529, (int)anthropic.StatusCode);
            Assert.False(anthropic.Headers.Contains(AnswerCache.Header));
            Assert.Equal(("error", "overloaded_error"), (anthropicError["type"]!.GetValue<string>(), anthropicError["error"]!["type"]!.GetValue<string>()));

            using var sampledNow = await http.SendAsync(Post("/v1/messages", stream: false, "ping", greedy: false));
            Assert.Equal(529, (int)sampledNow.StatusCode);

            using var openAi = await http.SendAsync(Post("/v1/chat/completions", stream: true, "something else"));
            var openAiError = JsonNode.Parse(await openAi.Content.ReadAsStringAsync())!;
            Assert.False(openAi.IsSuccessStatusCode);
            Assert.False(openAi.Headers.Contains(AnswerCache.Header));
            Assert.NotNull(openAiError["error"]!["message"]);

            using var metrics = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var scraped = await PrometheusText.ScrapeAsync(metrics, stack.Gateway.BaseUrl);
            double Count(string result) => scraped.Sum("gateway_cache_requests_total", l => l.GetValueOrDefault("route") == Route.Id && l.GetValueOrDefault("result") == result);
            Assert.Equal(Shapes.Length, Count("stale_hit"));
            Assert.True(Count("stored") >= Shapes.Length, $"stored {Count("stored")}");
            Assert.True(Count("skipped") >= 2, "the sampled requests were not cacheable");
            Assert.True(scraped.Sum("gateway_cache_bytes", _ => true) > 0);
        }
        finally
        {
            await stack.Stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
            await stack.Stack.Simulator.SetChaosAsync(Route.SecondaryProvider, ChaosSettings.Healthy);
        }
    }
}
