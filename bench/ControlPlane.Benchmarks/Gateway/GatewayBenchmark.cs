using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ControlPlane.Benchmarks.Shared;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Benchmarks.Gateway;

/// <summary>
/// <c>gateway</c>: what the data plane costs and what it saves. Real processes on loopback: Postgres and RabbitMQ
/// (from <c>scripts/services.sh</c> or Testcontainers), the simulator in this process, one control-plane process and
/// one gateway process (Release builds).
/// <list type="number">
/// <item>Added latency: open-loop load at fixed rates (default 200 and 1000 req/s for 20 s each), non-streaming, the
/// same small request three ways: straight to the simulated Anthropic provider (<c>/v1/messages</c>), through the
/// gateway as Anthropic Messages (passthrough: same API on both sides), and through the gateway as OpenAI Chat
/// Completions (translated to Messages and back). p50/p99 of each; added = gateway − direct; translation's own cost =
/// translated − passthrough. The simulator answers in well under a millisecond, so the differences are the gateway.</item>
/// <item>Streaming: time to first content (the first text delta) at a steady rate, direct, passthrough and translated.</item>
/// <item>Outage: 200 req/s through the gateway while the primary refuses connections, returns 529, or hangs for a
/// few seconds mid-run. Failed client requests (the target is 0) and the latency the safety net added.</item>
/// <item>Overload: 3× one target's capacity, one request in five critical, with concurrency limits on and off:
/// critical p99 and failed requests side by side.</item>
/// </list>
/// Options: <c>--rates 200,1000 --seconds 20 --outage-rate 200 --outage-seconds 15 --overload-seconds 20 --overload-capacity 20 --parts latency,streaming,outage,overload</c>. Besides its own tables, the
/// figures go through <see cref="ResultsWriter"/> (the added latency at 1,000 req/s, failed requests and outage →
/// breaker open against DESIGN.md).
/// </summary>
public static class GatewayBenchmark
{
    private static readonly TestRoute Route = new("chat", "anthropic-primary", "anthropic-secondary", "claude-sonnet-4-5");

    // Same API on both sides in the other dialect: OpenAI Chat clients on an OpenAI target.
    private static readonly TestRoute ChatRoute = new("gpt", "openai-primary", "openai-secondary", "gpt-4o-mini");

    // Both targets with a finite capacity (the simulator's capacity model), for the overload part.
    private static readonly TestRoute OverloadRoute = new("capped", "anthropic-capped", "anthropic-overflow", "claude-haiku-4-5");

    public static async Task<int> RunAsync(string[] args)
    {
        var rates = Option(args, "--rates", "200,1000").Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray();
        var seconds = int.Parse(Option(args, "--seconds", "20"), CultureInfo.InvariantCulture);
        var outageRate = int.Parse(Option(args, "--outage-rate", "200"), CultureInfo.InvariantCulture);
        var outageSeconds = int.Parse(Option(args, "--outage-seconds", "15"), CultureInfo.InvariantCulture);
        var overloadSeconds = int.Parse(Option(args, "--overload-seconds", "20"), CultureInfo.InvariantCulture);
        var capacity = int.Parse(Option(args, "--overload-capacity", "20"), CultureInfo.InvariantCulture);
        var parts = Option(args, "--parts", "latency,streaming,outage,overload").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        var database = new PostgresDatabase();
        await database.InitializeAsync();
        try
        {
            await using var stack = await ControlPlaneStack.CreateAsync(database.ConnectionString, [Route, ChatRoute, OverloadRoute], TimeSpan.FromSeconds(2), new Dictionary<string, string?>
            {
                ["Breakers__BaseBreakDuration"] = "00:00:02",
                ["Breakers__MaxBreakDuration"] = "00:00:04",
                ["Breakers__SlowStartDuration"] = "00:00:01",
                ["Logging__LogLevel__Default"] = "Warning",
            });
            await stack.StartReplicaAsync();
            var gateway = await stack.StartGatewayAsync(new Dictionary<string, string?>
            {
                ["Gateway__ResponseHeadersTimeout"] = "00:00:01",
                ["Gateway__StreamingResponseHeadersTimeout"] = "00:00:01",
                ["Logging__LogLevel__Default"] = "Warning",
            });

            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 2048, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
            {
                Timeout = TimeSpan.FromSeconds(30),
            };
            var messagesKey = stack.ProviderKeys[Route.PrimaryProvider];
            var direct = new Endpoint(new Uri(stack.Simulator.BaseUrlOf(Route.PrimaryProvider), "v1/messages"), Route.Model, messagesKey, Anthropic: true);
            var passthrough = new Endpoint(new Uri(gateway.BaseUrl, "v1/messages"), Route.Id, null, Anthropic: true);
            var viaGateway = new Endpoint(new Uri(gateway.BaseUrl, "v1/chat/completions"), Route.Id, null);
            var directChat = new Endpoint(
                new Uri(stack.Simulator.BaseUrlOf(ChatRoute.PrimaryProvider), "v1/chat/completions"), ChatRoute.Model, stack.ProviderKeys[ChatRoute.PrimaryProvider]);
            var passthroughChat = new Endpoint(new Uri(gateway.BaseUrl, "v1/chat/completions"), ChatRoute.Id, null);

            var figures = new List<BenchmarkFigure>();
            var chatRows = new StringBuilder();
            var output = new StringBuilder();
            output.AppendLine(CultureInfo.InvariantCulture, $"## Gateway added latency (open loop, non-streaming, {seconds} s per run, {Environment.ProcessorCount} cores shared by every process)");
            output.AppendLine();
            output.AppendLine("Direct: Anthropic Messages to the simulated provider. Passthrough: Messages through the gateway to the same provider. Translated: OpenAI Chat Completions through the gateway, translated to Messages and back.");
            output.AppendLine();
            output.AppendLine("| rate (req/s) | direct p50 | direct p99 | passthrough p50 | passthrough p99 | translated p50 | translated p99 | added p50 (passthrough) | added p99 (passthrough) | translation over passthrough p50 | p99 | gateway CPU per request (passthrough/translated) | failed (direct/passthrough/translated) |");
            output.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var rate in parts.Contains("latency") ? rates : [])
            {
                var runs = await CompareAsync(http, [direct, passthrough, viaGateway, directChat, passthroughChat], rate, TimeSpan.FromSeconds(seconds), gateway.ProcessId);
                var (d, g, t, dc, gc) = (runs[0], runs[1], runs[2], runs[3], runs[4]);
                chatRows.AppendLine(CultureInfo.InvariantCulture,
                    $"| {rate} | {Ms(dc.P(0.5))} | {Ms(dc.P(0.99))} | {Ms(gc.P(0.5))} | {Ms(gc.P(0.99))} | {Ms(gc.P(0.5) - dc.P(0.5))} | {Ms(gc.P(0.99) - dc.P(0.99))} | {Ms(gc.GatewayCpuPerRequestMs)} | {dc.Failed}/{gc.Failed} |");
                output.AppendLine(CultureInfo.InvariantCulture,
                    $"| {rate} | {Ms(d.P(0.5))} | {Ms(d.P(0.99))} | {Ms(g.P(0.5))} | {Ms(g.P(0.99))} | {Ms(t.P(0.5))} | {Ms(t.P(0.99))} | {Ms(g.P(0.5) - d.P(0.5))} | {Ms(g.P(0.99) - d.P(0.99))} | {Ms(t.P(0.5) - g.P(0.5))} | {Ms(t.P(0.99) - g.P(0.99))} | {Ms(g.GatewayCpuPerRequestMs)} / {Ms(t.GatewayCpuPerRequestMs)} | {d.Failed}/{g.Failed}/{t.Failed} |");
                var atTarget = rate == 1000;
                figures.AddRange(
                [
                    new($"{rate} req/s: direct p50", d.P(0.5), "ms"),
                    new($"{rate} req/s: direct p99", d.P(0.99), "ms"),
                    new($"{rate} req/s: through the gateway p50", g.P(0.5), "ms"),
                    new($"{rate} req/s: through the gateway p99", g.P(0.99), "ms"),
                    new($"{rate} req/s: gateway added latency p50", g.P(0.5) - d.P(0.5), "ms", atTarget ? "≤ 0.3 ms at 1,000 req/s" : "", atTarget ? g.P(0.5) - d.P(0.5) <= 0.3 : null, Headline: atTarget),
                    new($"{rate} req/s: gateway added latency p99", g.P(0.99) - d.P(0.99), "ms", atTarget ? "≤ 2 ms at 1,000 req/s" : "", atTarget ? g.P(0.99) - d.P(0.99) <= 2 : null, Headline: atTarget),
                    new($"{rate} req/s: translated p50", t.P(0.5), "ms"),
                    new($"{rate} req/s: translated p99", t.P(0.99), "ms"),
                    new($"{rate} req/s: translation added over passthrough p50", t.P(0.5) - g.P(0.5), "ms", atTarget ? "≤ 0.2 ms at 1,000 req/s" : "", atTarget ? t.P(0.5) - g.P(0.5) <= 0.2 : null, Headline: atTarget),
                    new($"{rate} req/s: translation added over passthrough p99", t.P(0.99) - g.P(0.99), "ms"),
                    new($"{rate} req/s: gateway ÷ direct, p50", g.P(0.5) / d.P(0.5), "×"),
                    new($"{rate} req/s: gateway ÷ direct, p99", g.P(0.99) / d.P(0.99), "×"),
                    new($"{rate} req/s: failed requests, direct + passthrough + translated", d.Failed + g.Failed + t.Failed, "", "0", d.Failed + g.Failed + t.Failed == 0),
                    new($"{rate} req/s: Chat passthrough added latency p50", gc.P(0.5) - dc.P(0.5), "ms", atTarget ? "≤ 0.3 ms at 1,000 req/s" : "", atTarget ? gc.P(0.5) - dc.P(0.5) <= 0.3 : null),
                    new($"{rate} req/s: Chat passthrough added latency p99", gc.P(0.99) - dc.P(0.99), "ms"),
                    new($"{rate} req/s: gateway CPU per passthrough request", g.GatewayCpuPerRequestMs, "ms"),
                    new($"{rate} req/s: gateway CPU per translated request", t.GatewayCpuPerRequestMs, "ms"),
                    new($"{rate} req/s: failed requests, Chat direct + passthrough", dc.Failed + gc.Failed, "", "0", dc.Failed + gc.Failed == 0),
                ]);
                Console.Error.WriteLine($"rate {rate} done");
            }

            if (chatRows.Length > 0)
            {
                output.AppendLine();
                output.AppendLine("OpenAI Chat Completions on both sides (an OpenAI target): direct vs passthrough, in the same interleaved rounds.");
                output.AppendLine();
                output.AppendLine("| rate (req/s) | direct p50 | direct p99 | passthrough p50 | passthrough p99 | added p50 | added p99 | gateway CPU per request | failed (direct/passthrough) |");
                output.AppendLine("|---|---|---|---|---|---|---|---|---|");
                output.Append(chatRows);
            }

            var streamRate = Math.Min(200, rates.Min());
            output.AppendLine();
            output.AppendLine(CultureInfo.InvariantCulture, $"## Streaming: time to first content ({streamRate} req/s, {seconds} s per run)");
            output.AppendLine();
            output.AppendLine("| path | p50 | p99 | failed |");
            output.AppendLine("|---|---|---|---|");
            foreach (var (name, endpoint) in parts.Contains("streaming") ? new[] { ("direct", direct), ("passthrough", passthrough), ("translated", viaGateway) } : [])
            {
                var streaming = endpoint with { Stream = true };
                await RunLoadAsync(http, streaming, streamRate, TimeSpan.FromSeconds(3), null);
                var run = await RunLoadAsync(http, streaming, streamRate, TimeSpan.FromSeconds(seconds), null);
                output.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Ms(run.P(0.5))} | {Ms(run.P(0.99))} | {run.Failed} |");
                figures.Add(new($"streaming {name}: time to first content p50", run.P(0.5), "ms"));
                figures.Add(new($"streaming {name}: time to first content p99", run.P(0.99), "ms"));
            }

            output.AppendLine();
            output.AppendLine(CultureInfo.InvariantCulture, $"## Scripted outage of the primary ({outageRate} req/s through the gateway, {outageSeconds} s; outage from 3 s to {outageSeconds - 5} s)");
            output.AppendLine();
            output.AppendLine("| outage | requests | failed | p50 | p99 | max | during outage: p50 | p99 | max | retried by the safety net | outage → breaker open |");
            output.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var mode in parts.Contains("outage") ? new[] { ChaosMode.Refuse, ChaosMode.Overloaded, ChaosMode.Hang } : [])
            {
                await WaitHealthyAsync(http, viaGateway, stack);
                var retriesBefore = await RetriesAsync(http, gateway);
                DateTimeOffset? outageAt = null;
                var script = async (TimeSpan elapsed) =>
                {
                    if (elapsed >= TimeSpan.FromSeconds(3) && elapsed < TimeSpan.FromSeconds(outageSeconds - 5) && stack.Simulator.GetChaos(Route.PrimaryProvider).Mode != mode)
                    {
                        outageAt ??= DateTimeOffset.UtcNow;
                        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, new ChaosSettings { Mode = mode });
                    }
                    else if (elapsed >= TimeSpan.FromSeconds(outageSeconds - 5) && stack.Simulator.GetChaos(Route.PrimaryProvider).Mode != ChaosMode.Healthy)
                    {
                        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
                    }
                };
                var run = await RunLoadAsync(http, viaGateway, outageRate, TimeSpan.FromSeconds(outageSeconds), script);
                var during = run.Between(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(outageSeconds - 5));
                var retries = await RetriesAsync(http, gateway) - retriesBefore;
                var opened = outageAt is { } at ? await OpenedAfterAsync(http, stack, at) : null;
                output.AppendLine(CultureInfo.InvariantCulture,
                    $"| {mode} | {run.Count} | {run.Failed} | {Ms(run.P(0.5))} | {Ms(run.P(0.99))} | {Ms(run.P(1))} | {Ms(during.P(0.5))} | {Ms(during.P(0.99))} | {Ms(during.P(1))} | {retries:0} | {(opened is { } o ? $"{o.TotalSeconds:0.00} s" : "–")} |");
                var name = mode.ToString().ToLowerInvariant();
                figures.AddRange(
                [
                    new($"outage ({name}) at {outageRate} req/s: failed client requests", run.Failed, $"of {run.Count:N0}", "0", run.Failed == 0, Headline: true),
                    new($"outage ({name}): latency p99 during the outage", during.P(0.99), "ms"),
                    new($"outage ({name}): outage → breaker open", opened?.TotalSeconds, "s", "≤ 2 s with traffic at ≥ 10 req/s", opened is { } t && t <= TimeSpan.FromSeconds(2), Headline: true),
                ]);
                Console.Error.WriteLine($"outage {mode} done");
            }

            if (parts.Contains("overload"))
            {
                var withoutLimits = await stack.StartGatewayAsync(new Dictionary<string, string?>
                {
                    ["Gateway__ResponseHeadersTimeout"] = "00:00:01",
                    ["Gateway__StreamingResponseHeadersTimeout"] = "00:00:01",
                    ["Gateway__Limits__Enabled"] = "false",
                    ["Logging__LogLevel__Default"] = "Warning",
                });
                await OverloadAsync(http, stack, [("on", gateway), ("off", withoutLimits)], capacity, overloadSeconds, output, figures);
            }

            Console.WriteLine(output.ToString());
            ResultsWriter.Report(
                "gateway",
                new Dictionary<string, string>
                {
                    ["rates"] = string.Join(",", rates),
                    ["seconds"] = seconds.ToString(CultureInfo.InvariantCulture),
                    ["outage-rate"] = outageRate.ToString(CultureInfo.InvariantCulture),
                    ["outage-seconds"] = outageSeconds.ToString(CultureInfo.InvariantCulture),
                    ["parts"] = string.Join(",", parts),
                    ["overload-seconds"] = overloadSeconds.ToString(CultureInfo.InvariantCulture),
                    ["overload-capacity"] = capacity.ToString(CultureInfo.InvariantCulture),
                },
                figures,
                [
                    "Open loop, non-streaming chat completions; direct = straight to the simulated provider, same client, same run. Added latency = gateway quantile − direct quantile.",
                    $"Every process (load generator, simulator, gateway, control plane, Postgres, RabbitMQ) shares the machine's {Environment.ProcessorCount} cores.",
                    "Outage → breaker open: from the chaos switch to the primary's first transition to open (GET /api/transitions); the gateway's traffic reports and the active probes (every 2 s here) both count as evidence.",
                ]);
            return 0;
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    /// <param name="Anthropic">Messages auth headers (x-api-key, anthropic-version) instead of a bearer key.</param>
    /// <param name="Stream">Ask for a stream; the latency is then the time to the first text delta.</param>
    /// <param name="RequestClass">Sent as <c>x-request-class</c> when set.</param>
    private sealed record Endpoint(Uri Url, string Model, string? ApiKey, bool Anthropic = false, bool Stream = false, string? RequestClass = null);

    /// <summary>
    /// 3× one target's capacity, open loop, one request in five critical, through a gateway with concurrency limits
    /// and through one without, in turn. Both targets of the route have the same finite capacity (service time
    /// 200 ms up to <paramref name="capacity"/> requests at once, then slower with the load, then 529 past a queue of
    /// 4 × capacity), so the route as a whole is 1.5× overloaded: something must give, and the question is what.
    /// </summary>
    private static async Task OverloadAsync(
        HttpClient http, ControlPlaneStack stack, (string Name, ServiceProcess Gateway)[] gateways, int capacity, int seconds,
        StringBuilder output, List<BenchmarkFigure> figures)
    {
        const int ServiceMs = 200;
        var rate = 3 * capacity * 1000 / ServiceMs;
        var criticalRate = rate / 5;
        output.AppendLine();
        output.AppendLine(CultureInfo.InvariantCulture,
            $"## Overload: 3× one target's capacity ({rate} req/s, {criticalRate} of them critical, {seconds} s; each target answers {capacity} at once in {ServiceMs} ms, slower beyond, 529 past {4 * capacity} waiting)");
        output.AppendLine();
        output.AppendLine("| limits | critical requests | critical failed | critical p50 | critical p99 | other requests | other failed | other p50 | other p99 |");
        output.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var (name, gateway) in gateways)
        {
            var endpoint = new Endpoint(new Uri(gateway.BaseUrl, "v1/messages"), OverloadRoute.Id, null, Anthropic: true);
            foreach (var provider in new[] { OverloadRoute.PrimaryProvider, OverloadRoute.SecondaryProvider })
            {
                await stack.Simulator.SetChaosAsync(provider, new ChaosSettings { LatencyMs = ServiceMs, Capacity = capacity, QueueLimit = 4 * capacity });
            }

            // The run before may have opened the breakers: start from a route whose primary serves again.
            await Eventually.UntilAsync(async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
                {
                    Content = new StringContent($$"""{"model":"{{endpoint.Model}}","max_tokens":16,"messages":[{"role":"user","content":"ping"}]}""", Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("anthropic-version", "2023-06-01");
                using var response = await http.SendAsync(request);
                return response.Headers.TryGetValues("x-gateway-target", out var target) && target.Single() == OverloadRoute.Primary;
            }, TimeSpan.FromSeconds(90), "the capped route's primary serves");

            var critical = RunLoadAsync(http, endpoint with { RequestClass = "critical" }, criticalRate, TimeSpan.FromSeconds(seconds), null);
            var other = RunLoadAsync(http, endpoint with { RequestClass = "standard" }, rate - criticalRate, TimeSpan.FromSeconds(seconds), null);
            var (c, o) = (await critical, await other);
            output.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {c.Count} | {c.Failed} | {Ms(c.P(0.5))} | {Ms(c.P(0.99))} | {o.Count} | {o.Failed} | {Ms(o.P(0.5))} | {Ms(o.P(0.99))} |");
            figures.AddRange(
            [
                new($"overload 3× (limits {name}): critical p99", c.P(0.99), "ms"),
                new($"overload 3× (limits {name}): failed requests", c.Failed + o.Failed, $"of {c.Count + o.Count:N0} ({c.Failed} critical)"),
            ]);
            Console.Error.WriteLine($"overload, limits {name}, done");
        }

        foreach (var provider in new[] { OverloadRoute.PrimaryProvider, OverloadRoute.SecondaryProvider })
        {
            await stack.Simulator.SetChaosAsync(provider, ChaosSettings.Healthy);
        }
    }

    private sealed class Samples(List<(TimeSpan At, double Ms)> latencies, int failed)
    {
        public IReadOnlyList<(TimeSpan At, double Ms)> Latencies => latencies;

        public int Count => latencies.Count + Failed;

        public int Failed { get; } = failed;

        /// <summary>CPU time the gateway process used while these requests ran (zero for direct paths, bar its background work).</summary>
        public TimeSpan GatewayCpu { get; set; }

        public double GatewayCpuPerRequestMs => Count == 0 ? double.NaN : GatewayCpu.TotalMilliseconds / Count;

        public double P(double q)
        {
            if (latencies.Count == 0)
            {
                return double.NaN;
            }

            var sorted = latencies.Select(l => l.Ms).Order().ToList();
            return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
        }

        public static Samples Merge(IEnumerable<Samples> runs)
        {
            var all = runs.ToList();
            return new(all.SelectMany(r => r.Latencies).ToList(), all.Sum(r => r.Failed));
        }

        public Samples Between(TimeSpan from, TimeSpan to) => new(latencies.Where(l => l.At >= from && l.At < to).ToList(), 0);
    }

    /// <summary>
    /// Runs the paths in interleaved rounds after a warm-up of each, so drift (other processes, tiered JIT,
    /// the order of the runs) lands on every path alike instead of on whichever ran last.
    /// </summary>
    private static async Task<Samples[]> CompareAsync(HttpClient http, Endpoint[] paths, int rate, TimeSpan duration, int gatewayPid)
    {
        const int Rounds = 5;
        foreach (var path in paths)
        {
            await RunLoadAsync(http, path, rate, TimeSpan.FromSeconds(3), null);
        }

        var runs = paths.Select(_ => new List<Samples>()).ToArray();
        var gatewayCpu = new TimeSpan[paths.Length];
        for (var round = 0; round < Rounds; round++)
        {
            for (var i = 0; i < paths.Length; i++)
            {
                var cpuBefore = ProcessStats.CpuTime(gatewayPid);
                runs[i].Add(await RunLoadAsync(http, paths[i], rate, duration / Rounds, null));
                gatewayCpu[i] += ProcessStats.CpuTime(gatewayPid) - cpuBefore;
            }
        }

        var merged = runs.Select(Samples.Merge).ToArray();
        for (var i = 0; i < merged.Length; i++)
        {
            merged[i].GatewayCpu = gatewayCpu[i];
        }

        return merged;
    }

    /// <summary>Open loop: requests start on schedule whether or not earlier ones finished (no coordinated omission).</summary>
    private static async Task<Samples> RunLoadAsync(HttpClient http, Endpoint endpoint, int rate, TimeSpan duration, Func<TimeSpan, Task>? script)
    {
        // One body both APIs accept: Chat Completions and Messages share these fields.
        var stream = endpoint.Stream ? "true" : "false";
        var body = Encoding.UTF8.GetBytes($$"""{"model":"{{endpoint.Model}}","max_tokens":16,"stream":{{stream}},"messages":[{"role":"user","content":"ping"}]}""");
        var latencies = new ConcurrentBag<(TimeSpan, double)>();
        var failed = 0;
        var inFlight = new List<Task>();
        var clock = Stopwatch.StartNew();
        var sent = 0L;
        var total = (long)(rate * duration.TotalSeconds);
        while (sent < total)
        {
            if (script is not null)
            {
                await script(clock.Elapsed);
            }

            var due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * rate));
            for (; sent < due; sent++)
            {
                var scheduled = TimeSpan.FromSeconds(sent / (double)rate); // when it was due, to place it in the outage script
                inFlight.Add(Task.Run(async () =>
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url) { Content = new ByteArrayContent(body) };
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                        if (endpoint.RequestClass is not null)
                        {
                            request.Headers.Add("x-request-class", endpoint.RequestClass);
                        }
                        if (endpoint.Anthropic)
                        {
                            request.Headers.Add("anthropic-version", "2023-06-01");
                            if (endpoint.ApiKey is not null)
                            {
                                request.Headers.Add("x-api-key", endpoint.ApiKey);
                            }
                        }
                        else if (endpoint.ApiKey is not null)
                        {
                            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.ApiKey);
                        }

                        using var response = await http.SendAsync(request, endpoint.Stream ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead);
                        TimeSpan? took;
                        if (endpoint.Stream)
                        {
                            took = await FirstContentAsync(response);
                        }
                        else
                        {
                            await response.Content.ReadAsByteArrayAsync();
                            took = Stopwatch.GetElapsedTime(started);
                        }

                        if (response.IsSuccessStatusCode && took is { } latency)
                        {
                            latencies.Add((scheduled, Math.Max(latency.TotalMilliseconds, 0)));
                        }
                        else
                        {
                            Interlocked.Increment(ref failed);
                        }

                        async Task<TimeSpan?> FirstContentAsync(HttpResponseMessage streamed)
                        {
                            // The simulator's answer starts with the delta "po", in every API's framing.
                            await using var content = await streamed.Content.ReadAsStreamAsync();
                            var seen = new StringBuilder();
                            var buffer = new byte[4096];
                            TimeSpan? first = null;
                            int read;
                            while ((read = await content.ReadAsync(buffer)) > 0)
                            {
                                if (first is null)
                                {
                                    seen.Append(Encoding.UTF8.GetString(buffer, 0, read));
                                    if (seen.ToString().Contains("\"po\"", StringComparison.Ordinal))
                                    {
                                        first = Stopwatch.GetElapsedTime(started);
                                    }
                                }
                            }

                            return first;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }));
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(inFlight);
        return new Samples(latencies.ToList(), failed);
    }

    private static async Task WaitHealthyAsync(HttpClient http, Endpoint gateway, ControlPlaneStack stack)
    {
        await stack.Simulator.SetChaosAsync(Route.PrimaryProvider, ChaosSettings.Healthy);
        await Eventually.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, gateway.Url)
            {
                Content = new StringContent($$"""{"model":"{{gateway.Model}}","messages":[{"role":"user","content":"ping"}]}""", Encoding.UTF8, "application/json"),
            };
            using var response = await http.SendAsync(request);
            return response.Headers.TryGetValues("x-gateway-target", out var target) && target.Single() == Route.Primary;
        }, TimeSpan.FromSeconds(90), "the primary takes the traffic again");
    }

    /// <summary>Time from the outage's start to the primary's first transition to open, as the control plane recorded it.</summary>
    private static async Task<TimeSpan?> OpenedAfterAsync(HttpClient http, ControlPlaneStack stack, DateTimeOffset outageAt)
    {
        var url = new Uri(stack.Replicas[0].BaseUrl, $"api/transitions?target={Uri.EscapeDataString(Route.Primary)}&from={Uri.EscapeDataString(outageAt.ToString("O", CultureInfo.InvariantCulture))}");
        using var document = JsonDocument.Parse(await http.GetStringAsync(url));
        var openedAt = document.RootElement.EnumerateArray()
            .Where(t => string.Equals(t.GetProperty("to").GetString(), "open", StringComparison.OrdinalIgnoreCase))
            .Select(t => t.GetProperty("occurredAt").GetDateTimeOffset())
            .Where(t => t >= outageAt)
            .Order()
            .FirstOrDefault();
        return openedAt == default ? null : openedAt - outageAt;
    }

    private static async Task<double> RetriesAsync(HttpClient http, ServiceProcess gateway)
    {
        var metrics = await http.GetStringAsync(new Uri(gateway.BaseUrl, "metrics"));
        return metrics.Split('\n')
            .Where(l => l.StartsWith("gateway_safety_net_retries_total{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static string Ms(double ms) => double.IsNaN(ms) ? "–" : $"{ms.ToString("0.00", CultureInfo.InvariantCulture)} ms";

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
