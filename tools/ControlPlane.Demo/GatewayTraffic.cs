using System.Collections.Concurrent;
using System.Net.Http.Json;

namespace ControlPlane.Demo;

/// <summary>
/// A client sending steady OpenAI-style requests for a route through the gateway, as an application would. The gateway
/// says which target served each request and how many it tried (x-gateway-target, x-gateway-attempts).
/// </summary>
internal sealed class GatewayTraffic(Uri gateway, string route) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };

    public long Sent;
    public long Succeeded;
    public long Failed;
    public long Retried;

    public ConcurrentDictionary<string, long> ServedBy { get; } = new();

    /// <summary>Raised with the serving target and the number of targets tried, for every successful request.</summary>
    public event Action<string, int>? Served;

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
            using var response = await _http.PostAsJsonAsync(
                new Uri("v1/chat/completions", UriKind.Relative),
                new { model = route, max_tokens = 8, messages = new[] { new { role = "user", content = "hello" } } },
                cancellationToken).ConfigureAwait(false);
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
            Served?.Invoke(target, attempts);
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
