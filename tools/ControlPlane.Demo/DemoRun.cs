using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator;
using ControlPlane.Testing;

namespace ControlPlane.Demo;

/// <summary>
/// Brings up three simulated providers, the control plane and a data plane, sends steady traffic on route
/// chat-default through the gateway from two clients — an OpenAI-API one naming the route, and an Anthropic-API one
/// (as Claude Code would) naming its own Claude model, which reaches the route by the alias <c>claude-*</c> — takes
/// the Anthropic provider hard down, brings it back, and prints the failover timeline: the Anthropic-API client keeps
/// getting answers, translated from the OpenAI target's.
/// </summary>
internal sealed class DemoRun(DemoOptions options)
{
    private const string Route = "chat-default";
    private const string ClaudeModel = "claude-sonnet-4-5";
    private static readonly (string Id, string Kind, string Model)[] Providers =
    [
        ("anthropic", "anthropic", "claude-sonnet-4-5"),
        ("openai", "openai", "gpt-4.1"),
        ("gemini", "gemini", "gemini-2.5-flash"),
    ];

    // The local model behind route assistant (DegradationScene): not part of chat-default.
    private static readonly (string Id, string Kind, string Model) Local = ("local", "openai-compatible", "llama3.1:8b");

    private static IEnumerable<(string Id, string Kind, string Model)> AllProviders => [.. Providers, Local];

    private readonly Timeline _timeline = new();
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"controlplane-demo-{Guid.NewGuid():N}");

    private const string GatewayId = "demo-gateway";

    private static string Primary => $"{Providers[0].Id}/{Providers[0].Model}";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_work);
        var startedAt = DateTimeOffset.UtcNow;
        var postgres = Environment.GetEnvironmentVariable(TestServices.PostgresVariable);
        if (string.IsNullOrEmpty(postgres) || string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TestServices.RabbitMqVariable)))
        {
            await Console.Error.WriteLineAsync("Run the demo with `bash scripts/demo.sh`: it starts Postgres and RabbitMQ first.");
            return 2;
        }

        _timeline.Mark("starting four simulated providers (anthropic, openai, gemini, a local openai-compatible model)");
        var keys = AllProviders.ToDictionary(p => p.Id, p => $"sk-demo-{p.Id}-{Guid.NewGuid():N}");
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = AllProviders.Select(p => new SimulatedProviderOptions { Id = p.Id, Kind = p.Kind, ApiKey = keys[p.Id], Models = [p.Model] }).ToList(),
        }, null, cancellationToken);

        var environment = await ServiceEnvironment.CreateAsync(postgres);
        var catalogFile = Path.Combine(_work, "catalog.json");
        await File.WriteAllTextAsync(catalogFile, CatalogJson(simulator), cancellationToken);
        var variables = environment.With(AllProviders.Select(p => new KeyValuePair<string, string?>(KeyVariable(p.Id), keys[p.Id])));
        variables["CONTROLPLANE_CONFIG_FILE"] = catalogFile;
        variables["Breakers__BaseBreakDuration"] = "00:00:10";
        variables["Breakers__SlowStartDuration"] = "00:00:10";
        variables["Logging__LogLevel__Default"] = "Warning";

        _timeline.Mark("starting the control plane (migrates Postgres, schedules probes every " + options.ProbeInterval.TotalSeconds + " s)");
        await using var controlPlane = await ServiceProcess.StartAsync("ControlPlane.Service", variables, readyTimeout: TimeSpan.FromSeconds(120));
        using var api = new HttpClient { BaseAddress = controlPlane.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        _timeline.Mark($"control plane ready at {controlPlane.BaseUrl}");

        var gatewayVariables = new Dictionary<string, string?>
        {
            ["ControlPlaneClient__ControlPlaneUrl"] = controlPlane.BaseUrl.ToString(),
            ["ControlPlaneClient__RabbitMqUri"] = environment.Variables["ConnectionStrings__RabbitMq"],
            [$"ControlPlaneClient__TrustedKeys__{ServiceEnvironment.SigningKeyId}"] = environment.Keys.PublicKeyPem,
            ["ControlPlaneClient__SubscriberId"] = GatewayId,
            ["ControlPlaneClient__CacheFile"] = Path.Combine(_work, "gateway-routing-table.json"),
            ["ControlPlaneClient__StatusReportInterval"] = "00:00:02",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (p, i) in AllProviders.Select((p, i) => (p, i)))
        {
            gatewayVariables[$"Gateway__Providers__{i}__Id"] = p.Id;
            gatewayVariables[$"Gateway__Providers__{i}__Kind"] = p.Kind;
            gatewayVariables[$"Gateway__Providers__{i}__BaseUrl"] = simulator.BaseUrlOf(p.Id).ToString();
            gatewayVariables[$"Gateway__Providers__{i}__ApiKeyEnv"] = KeyVariable(p.Id);
            gatewayVariables[KeyVariable(p.Id)] = keys[p.Id];
        }

        _timeline.Mark("starting the gateway (it bootstraps the signed table, then follows RabbitMQ)");
        await using var gateway = await ServiceProcess.StartAsync("ControlPlane.Gateway", gatewayVariables, readyTimeout: TimeSpan.FromSeconds(120));
        _timeline.Mark($"gateway ready at {gateway.BaseUrl} (OpenAI- and Anthropic-compatible)");

        using var traffic = new GatewayTraffic(gateway.BaseUrl, Route, ClientApi.OpenAiChat);
        using var claude = new GatewayTraffic(gateway.BaseUrl, ClaudeModel, ClientApi.AnthropicMessages);
        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var trafficTask = traffic.RunAsync(options.RequestsPerSecond, stopTraffic.Token);
        var claudeTask = claude.RunAsync(Math.Max(1, options.RequestsPerSecond / 2), stopTraffic.Token);
        _timeline.Mark($"OpenAI-API client sending {options.RequestsPerSecond} requests/s to the gateway, model \"{Route}\"");
        _timeline.Mark($"Anthropic-API client (as Claude Code) sending {Math.Max(1, options.RequestsPerSecond / 2)} requests/s, model \"{ClaudeModel}\" → route {Route} by the alias claude-*");
        string? claudeMovedTo = null;
        claude.Served += (target, _, translated) =>
        {
            if (claudeMovedTo is null && target != Primary)
            {
                claudeMovedTo = target;
                _timeline.Mark($"Anthropic-API client now answered by {target} (translated {translated ?? "?"}, overlay applied): it never noticed");
            }
        };
        using var classes = new DegradationScene(gateway.BaseUrl, _timeline, Primary);
        var classesTask = classes.RunAsync(Math.Max(1, options.RequestsPerSecond / 4), stopTraffic.Token);
        _timeline.Mark($"four clients sending critical, standard, background and needs-primary requests (x-request-class) to route {DegradationScene.Route}");
        _timeline.Mark($"one client asking the same question (temperature 0) once a second on route {DegradationScene.CachedRoute}: only the primary, with a stale-if-error cache");
        var watcher = new ControlPlaneWatcher(api, _timeline, Primary, GatewayId);
        var watching = watcher.RunAsync(stopTraffic.Token);
        var probes = new ProbeEconomyWatcher(api, _timeline);
        var watchingProbes = probes.RunAsync(stopTraffic.Token);

        await Task.Delay(options.Warmup, cancellationToken);
        _timeline.Progress(Summary(traffic));

        var outageStartedAt = _timeline.Elapsed;
        await simulator.SetChaosAsync("anthropic", new ChaosSettings { Mode = ChaosMode.Refuse }, cancellationToken);
        _timeline.Mark("OUTAGE: anthropic refuses every connection (hard down)");
        var outageAt = _timeline.Elapsed;
        var consecutiveDirect = 0;
        var rerouted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var recovering = false;
        string? movedTo = null;
        traffic.Served += (target, attempts, _) =>
        {
            if (movedTo is null && target != Primary)
            {
                movedTo = target;
                _timeline.Mark($"traffic moved: the gateway's safety net serves from {target} (after trying the dead primary)");
            }

            // Rerouted for good once requests reach the fallback at the first attempt: the gateway no longer tries the dead one.
            consecutiveDirect = target != Primary && attempts == 1 ? consecutiveDirect + 1 : 0;
            if (consecutiveDirect >= 5)
            {
                rerouted.TrySetResult();
            }

            if (recovering && target == Primary)
            {
                recovered.TrySetResult();
            }
        };

        await rerouted.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        var failover = _timeline.Elapsed - outageAt;
        _timeline.Mark($"failover complete {failover.TotalSeconds:0.0} s after the outage began: the gateway sends {Route} straight to {movedTo}");
        var failedAtFailover = Interlocked.Read(ref traffic.Failed);
        var retriesBeforeReroute = Interlocked.Read(ref traffic.Retried);
        await Task.Delay(options.OutageHold, cancellationToken);
        var retriesAfterReroute = Interlocked.Read(ref traffic.Retried) - retriesBeforeReroute;
        _timeline.Progress(Summary(traffic));

        recovering = true;
        await simulator.SetChaosAsync("anthropic", ChaosSettings.Healthy, cancellationToken);
        var recoveryStartedAt = _timeline.Elapsed;
        _timeline.Mark("RECOVERY: anthropic is healthy again (breaker goes half-open, then closes with slow start)");
        await recovered.Task.WaitAsync(options.RecoveryTimeout, cancellationToken);
        _timeline.Mark($"traffic back on {Primary} {(_timeline.Elapsed - recoveryStartedAt).TotalSeconds:0.0} s after recovery");
        await watcher.RampOver.WaitAsync(options.RecoveryTimeout, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);

        await stopTraffic.CancelAsync();
        await Task.WhenAll(Quietly(trafficTask), Quietly(claudeTask), Quietly(classesTask), Quietly(watching), Quietly(watchingProbes));
        Console.WriteLine();
        Console.WriteLine("== summary");
        Console.WriteLine($"  OpenAI-API client: requests sent {traffic.Sent}, succeeded {traffic.Succeeded}, FAILED {traffic.Failed} (safety-net retries {traffic.Retried})");
        Console.WriteLine($"    served by: {string.Join(", ", traffic.ServedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        Console.WriteLine($"  Anthropic-API client ({ClaudeModel}): requests sent {claude.Sent}, succeeded {claude.Succeeded}, FAILED {claude.Failed} (safety-net retries {claude.Retried})");
        Console.WriteLine($"    served by: {string.Join(", ", claude.ServedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        classes.PrintSummary();
        Console.WriteLine($"  outage → gateway routing around it: {failover.TotalSeconds:0.0} s (probe interval {options.ProbeInterval.TotalSeconds} s); failed by then: {failedAtFailover}");
        Console.WriteLine($"  safety-net retries after the gateway applied the new table: {retriesAfterReroute} (no request even tried the dead provider)");
        Console.WriteLine($"  routing table versions: {await VersionCountAsync(api)}; see {controlPlane.BaseUrl}api/transitions for the audit trail");
        await probes.PrintSummaryAsync(AllProviders.Select(p => $"{p.Id}/{p.Model}"), startedAt, controlPlane.BaseUrl, cancellationToken);
        Directory.Delete(_work, recursive: true);
        return traffic.Failed == 0 && claude.Failed == 0 && !classes.Failed ? 0 : 1;
    }

    private static string Summary(GatewayTraffic traffic) =>
        $"so far: {traffic.Sent} sent, {traffic.Succeeded} ok, {traffic.Failed} failed; served by " +
        string.Join(", ", traffic.ServedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));

    private static async Task<int> VersionCountAsync(HttpClient api)
    {
        using var versions = JsonDocument.Parse(await api.GetStringAsync(new Uri("api/routing-tables?limit=1000", UriKind.Relative)));
        return versions.RootElement.GetArrayLength();
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string KeyVariable(string provider) => "DEMO_KEY_" + provider.ToUpperInvariant();

    /// <summary>Gemini's probes per minute: below what the probe interval asks for, so its target shows budget-limited.</summary>
    private const int GeminiProbeBudget = 20;

    /// <summary>List prices (USD per million input / output tokens, illustrative), so probe spend is costed.</summary>
    private static JsonObject Price(string model) => model switch
    {
        "claude-sonnet-4-5" => new JsonObject { ["InputPerMillion"] = 3.00, ["OutputPerMillion"] = 15.00 },
        "gpt-4.1" => new JsonObject { ["InputPerMillion"] = 2.00, ["OutputPerMillion"] = 8.00 },
        "gemini-2.5-flash" => new JsonObject { ["InputPerMillion"] = 0.30, ["OutputPerMillion"] = 2.50 },
        _ => new JsonObject { ["InputPerMillion"] = 0, ["OutputPerMillion"] = 0 },
    };

    /// <summary>
    /// The fallbacks' pre-configured alternatives (docs/configuration.md, "Overlays"): a Claude-tuned request keeps
    /// working on GPT and Gemini with their own instructions and limits.
    /// </summary>
    private static JsonNode? Overlay(string kind) => kind switch
    {
        "openai" => new JsonObject
        {
            ["SystemPrompt"] = new JsonObject { ["Mode"] = "prepend", ["Text"] = "You are a concise assistant. Answer in plain text." },
            ["Clamps"] = new JsonObject { ["MaxTokens"] = 16384 },
            ["Remove"] = new JsonArray("reasoning"),
        },
        "gemini" => new JsonObject
        {
            ["Clamps"] = new JsonObject { ["MaxTokens"] = 8192, ["TemperatureMax"] = 1.0 },
        },
        _ => null,
    };

    private string CatalogJson(SimulatorHost simulator)
    {
        var interval = options.ProbeInterval.ToString("c", CultureInfo.InvariantCulture);
        var timeout = (options.ProbeInterval * 0.75).ToString("c", CultureInfo.InvariantCulture);
        var catalog = new JsonObject
        {
            ["Probe"] = new JsonObject { ["Mode"] = "inference", ["Interval"] = interval, ["Timeout"] = timeout, ["LatencyObjective"] = "00:00:01" },
            ["Providers"] = new JsonArray(AllProviders.Select(p =>
            {
                var provider = new JsonObject
                {
                    ["Id"] = p.Id,
                    ["Kind"] = p.Kind,
                    ["BaseUrl"] = simulator.BaseUrlOf(p.Id).ToString(),
                    ["ApiKeyEnv"] = KeyVariable(p.Id),
                };
                if (p.Id == "gemini")
                {
                    // Probing costs money (docs/configuration.md, "Probe economy"): a fleet-wide cap on one provider's probes.
                    provider["ProbeBudgetPerMinute"] = GeminiProbeBudget;
                }

                return (JsonNode)provider;
            }).ToArray()),
            ["Targets"] = new JsonArray(AllProviders.Select(p => (JsonNode)new JsonObject
            {
                ["Provider"] = p.Id,
                ["Model"] = p.Model,
                ["Overlay"] = Overlay(p.Kind),
                ["Price"] = Price(p.Model),
            }).ToArray()),
            ["Routes"] = new JsonArray(new JsonObject
            {
                ["Id"] = Route,
                ["Aliases"] = new JsonArray("claude-*", "gpt-4o*"),
                ["PanicPolicy"] = "fail-open",
                ["Tiers"] = new JsonArray(Providers.Select(p => (JsonNode)new JsonObject
                {
                    ["Targets"] = new JsonArray(new JsonObject { ["Target"] = $"{p.Id}/{p.Model}", ["Weight"] = 100 }),
                }).ToArray()),
            }, new JsonObject
            {
                // Request classes (docs/configuration.md, Degradation): the local tier serves all but needs-primary.
                ["Id"] = DegradationScene.Route,
                ["Degradation"] = new JsonObject { ["HoldTimeout"] = DegradationScene.HoldTimeout.ToString("c", CultureInfo.InvariantCulture) },
                ["Tiers"] = new JsonArray(
                    new JsonObject { ["Targets"] = new JsonArray(new JsonObject { ["Target"] = Primary }) },
                    new JsonObject
                    {
                        ["Targets"] = new JsonArray(new JsonObject { ["Target"] = $"{Local.Id}/{Local.Model}" }),
                        ["Classes"] = new JsonArray("critical", "standard", "background"),
                    }),
            }, new JsonObject
            {
                // Known-good cache (docs/gateway.md, Cache): when every target is down, a repeated question keeps its answer.
                ["Id"] = DegradationScene.CachedRoute,
                ["Cache"] = new JsonObject { ["Mode"] = "stale-if-error", ["Ttl"] = "00:10:00" },
                ["Tiers"] = new JsonArray(new JsonObject { ["Targets"] = new JsonArray(new JsonObject { ["Target"] = Primary }) }),
            }),
        };
        return new JsonObject { ["Catalog"] = catalog }.ToJsonString();
    }
}
