using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

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
/// <param name="requestClass">The x-request-class header to send, or null for none.</param>
/// <param name="temperature">The temperature to send (0 makes the request cacheable), or null for none.</param>
internal sealed class GatewayTraffic(Uri gateway, string model, ClientApi api, string? requestClass = null, double? temperature = null) : IDisposable
{
    // Held requests (needs-primary) may wait for the route's hold deadline before they are answered.
    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(requestClass is null ? 10 : 60) };

    public long Sent;
    public long Succeeded;
    public long Failed;
    public long Retried;
    public long FromCache;

    public string? RequestClass => requestClass;

    public ConcurrentDictionary<string, long> ServedBy { get; } = new();

    /// <summary>Refusals by the gateway's error code (route_shedding, hold_timeout…), counted apart from other failures.</summary>
    public ConcurrentDictionary<string, long> RefusedBy { get; } = new();

    /// <summary>What the first few failed requests got (status and error code, or the exception), for the summary.</summary>
    public ConcurrentQueue<string> FailureReasons { get; } = new();

    /// <summary>Raised with the error code and Retry-After (seconds) of every refusal the gateway explains with a code.</summary>
    public event Action<string, int?>? Refused;

    /// <summary>Raised with the serving target and how long the request took, for every successful request.</summary>
    public event Action<string, TimeSpan>? Answered;

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
                Content = temperature is { } t
                    ? JsonContent.Create(new { model, max_tokens = 8, temperature = t, messages = new[] { new { role = "user", content = "hello" } } })
                    : JsonContent.Create(new { model, max_tokens = 8, messages = new[] { new { role = "user", content = "hello" } } }),
            };
            if (api == ClientApi.AnthropicMessages)
            {
                request.Headers.Add("anthropic-version", "2023-06-01");
            }

            if (requestClass is not null)
            {
                request.Headers.Add("x-request-class", requestClass);
            }

            var started = Stopwatch.GetTimestamp();
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                if (ErrorCode(body) is { } code && code is "route_shedding" or "hold_timeout" or "hold_queue_full" or "concurrency_limited")
                {
                    RefusedBy.AddOrUpdate(code, 1, (_, count) => count + 1);
                    Refused?.Invoke(code, (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds);
                    return;
                }

                Interlocked.Increment(ref Failed);
                NoteFailure($"{(int)response.StatusCode} {ErrorCode(body) ?? "(no error code)"}");
                return;
            }

            var target = Header(response, "x-gateway-target") ?? "?";
            var attempts = int.TryParse(Header(response, "x-gateway-attempts"), out var n) ? n : 1;
            Interlocked.Increment(ref Succeeded);
            if (Header(response, "x-gateway-cache") is not null)
            {
                Interlocked.Increment(ref FromCache);
                target = "cache";
            }

            Interlocked.Add(ref Retried, attempts - 1);
            ServedBy.AddOrUpdate(target, 1, (_, count) => count + 1);
            Served?.Invoke(target, attempts, Header(response, "x-gateway-translated"));
            Answered?.Invoke(target, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref Failed);
            NoteFailure(e.GetType().Name);
        }
    }

    private void NoteFailure(string reason)
    {
        if (FailureReasons.Count < 5)
        {
            FailureReasons.Enqueue(reason);
        }
    }

    private static string? ErrorCode(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
