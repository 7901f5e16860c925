using System.Net;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// Issue #15, error-class fallbacks: a request too long for the small-window primary lands on the large-window
/// secondary (after the primary's real context-window 400, or without asking it when the request is clearly too
/// long), a short one stays on the primary, and the refusal counts as a refusal, never as the primary's failure.
/// </summary>
[Collection(GatewayStackCollection.Name)]
public sealed class ContextWindowFallbackTests(GatewayStack stack)
{
    private static readonly TestRoute Route = GatewayStack.Ctx;

    // The primary's window is 1,000 tokens. About four characters a token: 1,500 tokens is over it but under twice
    // it (the gateway sends it and the primary refuses); 4,000 tokens is clearly too long (skipped unasked).
    private static readonly string Long = Prompt(6_000);
    private static readonly string VeryLong = Prompt(16_000);

    [Fact]
    public async Task TooLongForThePrimary_IsServedByTheLargerWindow_ShortStaysOnThePrimary()
    {
        await stack.UntilTargetAsync(Route.Id, Route.Primary, eligible: true, "the small-window primary is in the table");
        using var http = GatewayStack.Client(stack.Gateway);

        using (var shortAnswer = await http.SendAsync(OpenAi("ping")))
        {
            Assert.Equal(HttpStatusCode.OK, shortAnswer.StatusCode);
            Assert.Equal(Route.Primary, shortAnswer.Headers.GetValues("x-gateway-target").Single());
        }

        var refusalsBefore = await RefusalsOnPrimaryAsync();
        using (var longAnswer = await http.SendAsync(OpenAi(Long)))
        {
            Assert.Equal(HttpStatusCode.OK, longAnswer.StatusCode);
            Assert.Equal(Route.Secondary, longAnswer.Headers.GetValues("x-gateway-target").Single());
            Assert.Equal("2", longAnswer.Headers.GetValues("x-gateway-attempts").Single());
        }

        Assert.Equal(refusalsBefore + 1, await RefusalsOnPrimaryAsync()); // the primary was asked, and refused

        // The same through translation: an Anthropic client, OpenAI targets.
        using (var translated = await http.SendAsync(GatewayStack.Post("/v1/messages", Anthropic(Long), "2023-06-01")))
        {
            Assert.Equal(HttpStatusCode.OK, translated.StatusCode);
            Assert.Equal(Route.Secondary, translated.Headers.GetValues("x-gateway-target").Single());
        }

        // Clearly too long for the primary's catalog window: not even sent there.
        var attemptsBefore = await stack.AttemptsOnAsync(Route.Primary);
        using (var veryLong = await http.SendAsync(OpenAi(VeryLong)))
        {
            Assert.Equal(HttpStatusCode.OK, veryLong.StatusCode);
            Assert.Equal(Route.Secondary, veryLong.Headers.GetValues("x-gateway-target").Single());
        }

        Assert.Equal(attemptsBefore, await stack.AttemptsOnAsync(Route.Primary));
        Assert.True(await MetricAsync("gateway_context_window_skips_total", l => l.GetValueOrDefault("target") == Route.Primary && l.GetValueOrDefault("when") == "estimate") >= 1);

        // A refusal is not a failure: nothing of it went into the traffic reports, so the primary stays in the table.
        var table = await stack.TableAsync();
        var primary = table!.Table.Routes.Single(r => r.Route == Route.Id).Tiers[0].Targets.Single();
        Assert.True(primary.Eligible);
        Assert.Equal(1_000, primary.ContextWindow);
        using var again = await http.SendAsync(OpenAi("ping"));
        Assert.Equal(Route.Primary, again.Headers.GetValues("x-gateway-target").Single());
    }

    private Task<double> RefusalsOnPrimaryAsync() =>
        MetricAsync("gateway_upstream_attempts_total", l => l.GetValueOrDefault("target") == Route.Primary && l.GetValueOrDefault("outcome") == "context_window_exceeded");

    private async Task<double> MetricAsync(string name, Func<IReadOnlyDictionary<string, string>, bool> labels)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, stack.Gateway.BaseUrl);
        return metrics.Sum(name, labels);
    }

    private static HttpRequestMessage OpenAi(string prompt) => GatewayStack.Post("/v1/chat/completions", new
    {
        model = Route.Id,
        max_tokens = 16,
        messages = new[] { new { role = "user", content = prompt } },
    });

    private static object Anthropic(string prompt) => new
    {
        model = Route.Id,
        max_tokens = 16,
        messages = new[] { new { role = "user", content = prompt } },
    };

    private static string Prompt(int characters) =>
        string.Concat(Enumerable.Repeat("the quick brown fox jumps over the lazy dog ", (characters / 44) + 1))[..characters];
}
