using System.Collections.Concurrent;
using System.Net.Http.Json;

namespace ControlPlane.Demo;

/// <summary>Which API a demo client speaks.</summary>
internal enum ClientApi
{
    /// <summary>OpenAI Chat Completions, as the openai SDK sends it.</summary>
    OpenAiChat,

    /// <summary>Anthropic Messages, as Claude Code and the Anthropic SDK send it.</summary>
    AnthropicMessages,
}

/// <summary>
/// A client sending steady requests for a model through the gateway, as an application would, in one API. The gateway
/// says which target served each request, how many it tried and whether it translated (x-gateway-target,
/// x-gateway-attempts, x-gateway-translated).
/// </summary>
internal sealed class GatewayTraffic(Uri gateway, string model, ClientApi api) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };

    public long Sent;
    public long Succeeded;
    public long Failed;
    public long Retried;

    public ConcurrentDictionary<string, long> ServedBy { get; } = new();

    /// <summary>Raised with the serving target, the number of targets tried and the translation (null when none), for every successful request.</summary>
    public event Action<string, int, string?>? Served;

    public async Task RunAsync(double requestsPerSecond, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / requestsPerSecond));
        var inFlight = new List<Task>();
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            inFlight.RemoveAll(t => t.IsCompleted);
            inFlight.Add(SendOneAsync(cancellationToken));
        }
    }

    private async Task SendOneAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Sent);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api == ClientApi.OpenAiChat ? "v1/chat/completions" : "v1/messages", UriKind.Relative))
            {
                Content = JsonContent.Create(new { model, max_tokens = 8, messages = new[] { new { role = "user", content = "hello" } } }),
            };
            if (api == ClientApi.AnthropicMessages)
            {
                request.Headers.Add("anthropic-version", "2023-06-01");
            }

            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref Failed);
                return;
            }

            var target = Header(response, "x-gateway-target") ?? "?";
            var attempts = int.TryParse(Header(response, "x-gateway-attempts"), out var n) ? n : 1;
            Interlocked.Increment(ref Succeeded);
            Interlocked.Add(ref Retried, attempts - 1);
            ServedBy.AddOrUpdate(target, 1, (_, count) => count + 1);
            Served?.Invoke(target, attempts, Header(response, "x-gateway-translated"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref Failed);
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
