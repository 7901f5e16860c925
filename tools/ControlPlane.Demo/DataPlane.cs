using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ControlPlane.Client;
using ControlPlane.Simulator;

namespace ControlPlane.Demo;

/// <summary>
/// A data plane built on the client SDK: each request asks the selector for its targets in order and calls the first
/// one's OpenAI-compatible endpoint, moving on to the next only if nothing came back (the gateway's safety net).
/// </summary>
internal sealed class DataPlane(IRouteSelector selector, SimulatorHost simulator, IReadOnlyDictionary<string, (string Kind, string Key)> providers, string route) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };

    public long Sent;
    public long Succeeded;
    public long Failed;
    public long Retried;

    public ConcurrentDictionary<string, long> ServedBy { get; } = new();

    /// <summary>Every attempt, successful or not, per target: shows when the data plane stops even trying a dead one.</summary>
    public ConcurrentDictionary<string, long> AttemptsOn { get; } = new();

    public void Dispose() => _http.Dispose();

    /// <summary>Raised with the target that served each successful request.</summary>
    public event Action<string>? Served;

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
        IReadOnlyList<TargetSelection> order;
        try
        {
            order = selector.SelectOrder(route);
        }
        catch (RoutingSelectionException)
        {
            Interlocked.Increment(ref Failed);
            return;
        }

        foreach (var (target, attempt) in order.Take(3).Select((t, i) => (t, i)))
        {
            if (attempt > 0)
            {
                Interlocked.Increment(ref Retried);
            }

            AttemptsOn.AddOrUpdate(target.Target, 1, (_, n) => n + 1);
            if (await TryAsync(target, cancellationToken))
            {
                Interlocked.Increment(ref Succeeded);
                ServedBy.AddOrUpdate(target.Target, 1, (_, n) => n + 1);
                Served?.Invoke(target.Target);
                return;
            }
        }

        Interlocked.Increment(ref Failed);
    }

    private async Task<bool> TryAsync(TargetSelection target, CancellationToken cancellationToken)
    {
        var (kind, key) = providers[target.Provider];
        var path = kind == "gemini" ? "v1beta/openai/chat/completions" : "v1/chat/completions";
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(simulator.BaseUrlOf(target.Provider), path))
        {
            Content = JsonContent.Create(new { model = target.Model, max_tokens = 8, messages = new[] { new { role = "user", content = "hello" } } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
