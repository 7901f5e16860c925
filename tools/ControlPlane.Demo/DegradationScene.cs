namespace ControlPlane.Demo;

/// <summary>
/// Route <c>assistant</c> (tier 0 Anthropic, tier 1 a local model that serves critical, standard and background
/// requests) under the same outage, with one client per request class. The control plane's degradation profile
/// decides, every gateway obeys, and the timeline shows each behaviour the first time it happens: background shed
/// with Retry-After, standard served by the local tier, needs-primary held until the primary returns (or its
/// deadline passes).
/// </summary>
internal sealed class DegradationScene : IDisposable
{
    public const string Route = "assistant";

    /// <summary>A route on the primary alone, with a stale-if-error cache: the same question keeps its answer through the outage.</summary>
    public const string CachedRoute = "faq";
    public static readonly TimeSpan HoldTimeout = TimeSpan.FromSeconds(15);

    private static readonly (string Class, double Share)[] Classes =
        [("critical", 0.5), ("standard", 1), ("background", 0.5), ("needs-primary", 0.5)];

    private readonly Timeline _timeline;
    private readonly string _primary;
    private readonly List<GatewayTraffic> _clients;
    private readonly GatewayTraffic _faq;
    private readonly HashSet<string> _seen = [];
    private readonly Lock _gate = new();

    public DegradationScene(Uri gateway, Timeline timeline, string primary)
    {
        _timeline = timeline;
        _primary = primary;
        _clients = Classes.Select(c => new GatewayTraffic(gateway, Route, ClientApi.OpenAiChat, c.Class)).ToList();
        _faq = new GatewayTraffic(gateway, CachedRoute, ClientApi.AnthropicMessages, requestClass: null, temperature: 0);
        _faq.Answered += (target, _) =>
        {
            if (target == "cache")
            {
                Once("faq:cache", $"[cache] route {CachedRoute}: every target down, the same question answered from the known-good cache (x-gateway-cache: stale)");
            }
        };
        foreach (var client in _clients)
        {
            var requestClass = client.RequestClass!;
            client.Refused += (code, retryAfter) => Once($"{requestClass}:{code}", code switch
            {
                "route_shedding" => $"[degradation] {requestClass} request shed at once: 503 route_shedding, Retry-After {retryAfter} s (the profile sheds it while the primary tier is out)",
                "hold_timeout" => $"[degradation] {requestClass} request held {HoldTimeout.TotalSeconds:0} s, primary still out: 503 hold_timeout, Retry-After {retryAfter} s",
                _ => $"[degradation] {requestClass} request refused: {code}",
            });
            client.Answered += (target, took) =>
            {
                if (target != _primary)
                {
                    Once($"{requestClass}:fallback", $"[degradation] {requestClass} request served by the fallback tier ({target})");
                }
                else if (took > TimeSpan.FromSeconds(1.5))
                {
                    Once($"{requestClass}:held", $"[degradation] {requestClass} request held {took.TotalSeconds:0.0} s, then answered by the recovered primary {target}");
                }
            };
        }
    }

    public Task RunAsync(double requestsPerSecond, CancellationToken cancellationToken) =>
        Task.WhenAll(_clients.Select((client, i) => client.RunAsync(Math.Max(0.5, requestsPerSecond * Classes[i].Share), cancellationToken))
            .Append(_faq.RunAsync(1, cancellationToken)));

    /// <summary>Every request must be answered, or refused only as the profile says (shed, or held past its deadline).</summary>
    public bool Failed => _clients.Append(_faq).Any(c => Interlocked.Read(ref c.Failed) > 0);

    public void PrintSummary()
    {
        Console.WriteLine($"  route {Route} by request class (degradation profile):");
        foreach (var client in _clients)
        {
            var served = string.Join(", ", client.ServedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
            var refused = string.Join(", ", client.RefusedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
            Console.WriteLine($"    {client.RequestClass,-13} sent {client.Sent,4}, answered {client.Succeeded,4} ({(served.Length == 0 ? "-" : served)})" +
                              $"{(refused.Length == 0 ? "" : $", refused {refused}")}, FAILED {client.Failed}" +
                              (client.FailureReasons.IsEmpty ? "" : $" ({string.Join("; ", client.FailureReasons)})"));
        }

        Console.WriteLine($"  route {CachedRoute} (only the primary, stale-if-error cache), one question at temperature 0: sent {_faq.Sent}, " +
                          $"answered {_faq.Succeeded} ({string.Join(", ", _faq.ServedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}; " +
                          $"the cache answers only while every target is down), FAILED {_faq.Failed}" +
                          (_faq.FailureReasons.IsEmpty ? "" : $" ({string.Join("; ", _faq.FailureReasons)})"));
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _faq.Dispose();
    }

    private void Once(string key, string line)
    {
        lock (_gate)
        {
            if (!_seen.Add(key))
            {
                return;
            }
        }

        _timeline.Mark(line);
    }
}
