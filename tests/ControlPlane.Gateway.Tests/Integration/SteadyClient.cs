using System.Collections.Concurrent;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

/// <summary>
/// A client sending a steady stream of requests through the gateway — OpenAI non-streaming, OpenAI streaming and
/// Anthropic streaming in turn — and checking every answer is a complete, successful one.
/// </summary>
internal sealed class SteadyClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly string _route;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private long _succeeded;

    public SteadyClient(ServiceProcess gateway, string route, int concurrency)
    {
        _http = GatewayStack.Client(gateway);
        _route = route;
        for (var i = 0; i < concurrency; i++)
        {
            var loop = i;
            _loops.Add(Task.Run(() => RunAsync(loop)));
        }
    }

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>Waits until <paramref name="count"/> more requests than now have succeeded.</summary>
    public Task MoreSuccessesAsync(int count, string because)
    {
        var target = Succeeded + count;
        return Eventually.UntilAsync(() => Task.FromResult(Succeeded >= target), TimeSpan.FromSeconds(60), because);
    }

    private async Task RunAsync(int loop)
    {
        var n = loop;
        while (!_stop.IsCancellationRequested)
        {
            n++;
            try
            {
                var problem = await OnceAsync(n % 3);
                if (problem is null)
                {
                    Interlocked.Increment(ref _succeeded);
                }
                else
                {
                    Failures.Enqueue(problem);
                }

                await Task.Delay(30, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Failures.Enqueue($"{e.GetType().Name}: {e.Message}");
            }
        }
    }

    private async Task<string?> OnceAsync(int kind)
    {
        using var request = kind switch
        {
            0 => GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest(_route, stream: false)),
            1 => GatewayStack.Post("/v1/chat/completions", GatewayStack.OpenAiRequest(_route, stream: true)),
            _ => GatewayStack.Post("/v1/messages", GatewayStack.AnthropicRequest(_route, stream: true), "2023-06-01"),
        };
        using var response = await _http.SendAsync(request, _stop.Token);
        var body = await response.Content.ReadAsStringAsync(_stop.Token);
        var complete = kind switch
        {
            0 => body.Contains("pong", StringComparison.Ordinal),
            1 => body.Contains("data: [DONE]", StringComparison.Ordinal) && !body.Contains("\"error\"", StringComparison.Ordinal),
            _ => body.Contains("event: message_stop", StringComparison.Ordinal) && !body.Contains("event: error", StringComparison.Ordinal),
        };
        return response.IsSuccessStatusCode && complete ? null : $"kind {kind}: HTTP {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _http.Dispose();
        _stop.Dispose();
    }
}
