using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Chaos;

public sealed class ChaosApiTests : IAsyncLifetime
{
    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task GetProviders_ListsEveryProviderWithItsBaseUrlModelsAndChaos()
    {
        var providers = (await _sim.ControlGetAsync("providers")).AsArray();

        Assert.Equal([TestSimulator.Anthropic, TestSimulator.OpenAi, TestSimulator.Gemini, TestSimulator.Local], providers.Select(p => (string)p!["id"]!));
        var local = providers[3]!;
        Assert.Equal("openai-compatible", (string)local["kind"]!);
        Assert.Equal(_sim.Host.BaseUrlOf(TestSimulator.Local).ToString(), (string)local["baseUrl"]!);
        Assert.Equal([TestSimulator.LocalModel], local["models"]!.AsArray().Select(m => (string)m!));
        Assert.Equal("healthy", (string)local["chaos"]!["mode"]!);
        Assert.True((bool)local["listening"]!);
    }

    [Fact]
    public async Task PutChaos_AppliesAndEchoes_DeleteRestoresHealthy()
    {
        using var put = await _sim.PutChaosAsync(TestSimulator.OpenAi, """{"mode":"rate-limited","retryAfterSeconds":3}""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal("rate-limited", (string)(await _sim.ControlGetAsync("providers/openai/chaos"))["mode"]!);
        Assert.Equal(ChaosMode.RateLimited, _sim.Host.GetChaos(TestSimulator.OpenAi).Mode);

        using (var limited = await _sim.SendAsync(_sim.Inference(TestSimulator.OpenAi)))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), limited.Headers.RetryAfter?.Delta);
        }

        using var delete = await _sim.Http.DeleteAsync(new Uri(_sim.Host.ControlUrl, "providers/openai/chaos"));
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        using var healthy = await _sim.SendAsync(_sim.Inference(TestSimulator.OpenAi));
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    [Fact]
    public async Task PutChaos_RefuseOverHttp_ListenerReportedStopped()
    {
        using var put = await _sim.PutChaosAsync(TestSimulator.Gemini, """{"mode":"refuse"}""");
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var gemini = await _sim.ControlGetAsync("providers/gemini");
        Assert.False((bool)gemini["listening"]!);
        Assert.Equal("refuse", (string)gemini["activeMode"]!);
    }

    [Theory]
    [InlineData("""{"mode":"explode"}""", "mode", "explode")]
    [InlineData("""{"mode":"server-error","failureRate":2}""", "failureRate", "between 0 and 1")]
    [InlineData("""{"mode":"slow","latencyMs":-5}""", "latencyMs", "between 0")]
    [InlineData("""{"mode":3}""", "mode", "must be a string")]
    [InlineData("""{"mode":"hang","failure_rate":0.5}""", "failure_rate", "failure_rate")]
    [InlineData("""{"schedule":[{"mode":"refuse"},{"mode":"healthy"}]}""", "schedule[0].durationSeconds", "required")]
    [InlineData("""{"mode":"refuse","schedule":[{"mode":"healthy"}]}""", "mode", "not both")]
    [InlineData("""not json""", "body", "")]
    [InlineData("""null""", "body", "JSON chaos settings object")]
    public async Task PutChaos_InvalidInput_400ValidationProblemNamingTheField(string json, string field, string message)
    {
        using var response = await _sim.PutChaosAsync(TestSimulator.Anthropic, json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal(400, (int)problem["status"]!);
        var messages = problem["errors"]![field]!.AsArray().Select(m => (string)m!).ToList();
        Assert.Contains(messages, m => m.Contains(message, StringComparison.Ordinal));
        Assert.Equal(ChaosMode.Healthy, _sim.Host.GetChaos(TestSimulator.Anthropic).Mode);
    }

    [Theory]
    [InlineData("GET", "providers/nope")]
    [InlineData("GET", "providers/nope/chaos")]
    [InlineData("PUT", "providers/nope/chaos")]
    [InlineData("DELETE", "providers/nope/chaos")]
    [InlineData("GET", "providers/nope/stats")]
    [InlineData("DELETE", "providers/nope/stats")]
    public async Task UnknownProvider_404ProblemDetails(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(_sim.Host.ControlUrl, path));
        if (method == "PUT")
        {
            request.Content = JsonContent.Create(new { mode = "healthy" });
        }

        using var response = await _sim.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nope", (string)(await response.Content.ReadFromJsonAsync<JsonNode>())!["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_CountsRequestsByPathAndOutcome_AndResets()
    {
        using (await _sim.SendAsync(_sim.Inference(TestSimulator.Gemini)))
        using (await _sim.SendAsync(_sim.Inference(TestSimulator.Gemini, stream: true)))
        using (await _sim.SendAsync(_sim.GeminiGenerate(key: "wrong")))
        {
        }

        var stats = await _sim.ControlGetAsync("providers/gemini/stats");
        Assert.Equal(3, (int)stats["total"]!);
        Assert.Equal(2, (int)stats["byPath"]![$"/v1beta/models/{TestSimulator.GeminiModel}:generateContent"]!);
        Assert.Equal(1, (int)stats["byPath"]![$"/v1beta/models/{TestSimulator.GeminiModel}:streamGenerateContent"]!);
        Assert.Equal(2, (int)stats["byOutcome"]!["ok"]!);
        Assert.Equal(1, (int)stats["byOutcome"]!["unauthorized"]!);

        using var reset = await _sim.Http.DeleteAsync(new Uri(_sim.Host.ControlUrl, "providers/gemini/stats"));
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(0, _sim.Host.StatsOf(TestSimulator.Gemini).Total);
    }
}
