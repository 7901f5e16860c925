using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace ControlPlane.Simulator.Tests.Support;

/// A simulator with one provider of each kind on free loopback ports, plus request builders speaking each API.
internal sealed class TestSimulator : IAsyncDisposable
{
    public const string Anthropic = "anthropic";
    public const string OpenAi = "openai";
    public const string Gemini = "gemini";
    public const string Local = "local";

    public const string AnthropicKey = "sim-anthropic-test-key";
    public const string OpenAiKey = "sk-openai-test";
    public const string GeminiKey = "gemini-test-key";

    public const string AnthropicModel = "claude-sonnet-4-5";
    public const string OpenAiModel = "gpt-4.1";
    public const string GeminiModel = "gemini-2.5-flash";
    public const string LocalModel = "llama3.2";

    private TestSimulator(SimulatorHost host)
    {
        Host = host;
        Http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(20) };
    }

    public SimulatorHost Host { get; }

    public HttpClient Http { get; }

    public static SimulatorOptions Options(int seed = 42) => new()
    {
        Seed = seed,
        Providers =
        [
            new() { Id = Anthropic, Kind = "anthropic", ApiKey = AnthropicKey, Models = [AnthropicModel, "claude-haiku-4-5"] },
            new() { Id = OpenAi, Kind = "openai", ApiKey = OpenAiKey, Models = [OpenAiModel, "gpt-4o-mini"] },
            new() { Id = Gemini, Kind = "gemini", ApiKey = GeminiKey, Models = [GeminiModel] },
            new() { Id = Local, Kind = "openai-compatible", Models = [LocalModel] },
        ],
    };

    public static async Task<TestSimulator> StartAsync(TimeProvider? time = null, int seed = 42, Action<SimulatorOptions>? configure = null)
    {
        var options = Options(seed);
        configure?.Invoke(options);
        return new(await SimulatorHost.StartAsync(options, time));
    }

    public Uri Url(string providerId, string path) => new(Host.BaseUrlOf(providerId), path);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct = default) =>
        Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);

    public HttpRequestMessage AnthropicMessages(bool stream = false, string model = AnthropicModel, string? key = AnthropicKey, int maxTokens = 16)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url(Anthropic, "v1/messages"))
        {
            Content = Json(new JsonObject
            {
                ["model"] = model,
                ["max_tokens"] = maxTokens,
                ["stream"] = stream,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "ping" }),
            }),
        };
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }

        request.Headers.Add("anthropic-version", "2023-06-01");
        return request;
    }

    public HttpRequestMessage ChatCompletions(string providerId, string model, bool stream = false, string? key = null, bool includeUsage = false, string path = "v1/chat/completions")
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["max_tokens"] = 16,
            ["stream"] = stream,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "ping" }),
        };
        if (includeUsage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        var request = new HttpRequestMessage(HttpMethod.Post, Url(providerId, path)) { Content = Json(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    public HttpRequestMessage GeminiGenerate(bool stream = false, string model = GeminiModel, string? key = GeminiKey)
    {
        var path = stream ? $"v1beta/models/{model}:streamGenerateContent?alt=sse" : $"v1beta/models/{model}:generateContent";
        var request = new HttpRequestMessage(HttpMethod.Post, Url(Gemini, path))
        {
            Content = Json(new JsonObject
            {
                ["contents"] = new JsonArray(new JsonObject
                {
                    ["role"] = "user",
                    ["parts"] = new JsonArray(new JsonObject { ["text"] = "ping" }),
                }),
                ["generationConfig"] = new JsonObject { ["maxOutputTokens"] = 16 },
            }),
        };
        if (key is not null)
        {
            request.Headers.Add("x-goog-api-key", key);
        }

        return request;
    }

    /// The canonical inference request of each provider, as a probe would send it.
    public HttpRequestMessage Inference(string providerId, bool stream = false) => providerId switch
    {
        Anthropic => AnthropicMessages(stream),
        OpenAi => ChatCompletions(OpenAi, OpenAiModel, stream, OpenAiKey),
        Gemini => GeminiGenerate(stream),
        _ => ChatCompletions(Local, LocalModel, stream),
    };

    /// A raw JSON body to any path of a provider, with that provider's credentials (and anthropic-version).
    public HttpRequestMessage Raw(string providerId, string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url(providerId, path)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        switch (providerId)
        {
            case Anthropic:
                request.Headers.Add("x-api-key", AnthropicKey);
                request.Headers.Add("anthropic-version", "2023-06-01");
                break;
            case OpenAi:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OpenAiKey);
                break;
            case Gemini:
                request.Headers.Add("x-goog-api-key", GeminiKey);
                break;
        }

        return request;
    }

    public Task SetChaosAsync(string providerId, ChaosSettings settings) => Host.SetChaosAsync(providerId, settings);

    public Task<HttpResponseMessage> PutChaosAsync(string providerId, string json) =>
        Http.PutAsync(new Uri(Host.ControlUrl, $"providers/{providerId}/chaos"), new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<JsonNode> ControlGetAsync(string path) =>
        (await Http.GetFromJsonAsync<JsonNode>(new Uri(Host.ControlUrl, path)))!;

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}
