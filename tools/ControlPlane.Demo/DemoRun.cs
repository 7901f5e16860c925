using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Client;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Demo;

/// <summary>
/// Brings up three simulated providers, the control plane and a data plane, sends steady traffic on route
/// chat-default, takes the primary provider hard down, brings it back, and prints the failover timeline.
/// </summary>
internal sealed class DemoRun(DemoOptions options)
{
    private const string Route = "chat-default";
    private static readonly (string Id, string Kind, string Model)[] Providers =
    [
        ("anthropic", "anthropic", "claude-sonnet-4-5"),
        ("openai", "openai", "gpt-4.1"),
        ("gemini", "gemini", "gemini-2.5-flash"),
    ];

    private readonly Timeline _timeline = new();
    private readonly string _work = Path.Combine(Path.GetTempPath(), $"controlplane-demo-{Guid.NewGuid():N}");

    private static string Primary => $"{Providers[0].Id}/{Providers[0].Model}";

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_work);
        var postgres = Environment.GetEnvironmentVariable(TestServices.PostgresVariable);
        if (string.IsNullOrEmpty(postgres) || string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TestServices.RabbitMqVariable)))
        {
            await Console.Error.WriteLineAsync("Run the demo with `bash scripts/demo.sh`: it starts Postgres and RabbitMQ first.");
            return 2;
        }

        _timeline.Mark("starting three simulated providers (anthropic, openai, gemini)");
        var keys = Providers.ToDictionary(p => p.Id, p => $"sk-demo-{p.Id}-{Guid.NewGuid():N}");
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = Providers.Select(p => new SimulatedProviderOptions { Id = p.Id, Kind = p.Kind, ApiKey = keys[p.Id], Models = [p.Model] }).ToList(),
        }, null, cancellationToken);

        var environment = await ServiceEnvironment.CreateAsync(postgres);
        var catalogFile = Path.Combine(_work, "catalog.json");
        await File.WriteAllTextAsync(catalogFile, CatalogJson(simulator), cancellationToken);
        var variables = environment.With(Providers.Select(p => new KeyValuePair<string, string?>(KeyVariable(p.Id), keys[p.Id])));
        variables["CONTROLPLANE_CONFIG_FILE"] = catalogFile;
        variables["Breakers__BaseBreakDuration"] = "00:00:10";
        variables["Breakers__SlowStartDuration"] = "00:00:10";
        variables["Logging__LogLevel__Default"] = "Warning";

        _timeline.Mark("starting the control plane (migrates Postgres, schedules probes every " + options.ProbeInterval.TotalSeconds + " s)");
        await using var controlPlane = await ServiceProcess.StartAsync("ControlPlane.Service", variables, readyTimeout: TimeSpan.FromSeconds(120));
        using var api = new HttpClient { BaseAddress = controlPlane.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        _timeline.Mark($"control plane ready at {controlPlane.BaseUrl}");

        using var dataPlane = await StartDataPlaneAsync(controlPlane.BaseUrl, environment, cancellationToken);
        var source = dataPlane.Services.GetRequiredService<IRoutingTableSource>();
        await WaitAsync(() => Task.FromResult(source.CurrentVersion is not null), TimeSpan.FromSeconds(60), cancellationToken);
        _timeline.Mark($"data plane (client SDK) applied routing table v{source.CurrentVersion}: {Route} → {Describe(source)}");

        using var traffic = new DataPlane(dataPlane.Services.GetRequiredService<IRouteSelector>(), simulator,
            Providers.ToDictionary(p => p.Id, p => (p.Kind, keys[p.Id])), Route);
        using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var trafficTask = traffic.RunAsync(options.RequestsPerSecond, stopTraffic.Token);
        _timeline.Mark($"sending {options.RequestsPerSecond} requests/s on {Route}");
        using var watcher = new ControlPlaneWatcher(api, source, _timeline, Primary);
        var watching = watcher.RunAsync(stopTraffic.Token);

        await Task.Delay(options.Warmup, cancellationToken);
        _timeline.Progress(Summary(traffic));

        var outageStartedAt = _timeline.Elapsed;
        await simulator.SetChaosAsync("anthropic", new ChaosSettings { Mode = ChaosMode.Refuse }, cancellationToken);
        _timeline.Mark("OUTAGE: anthropic refuses every connection (hard down)");
        string? movedTo = null;
        traffic.Served += target =>
        {
            if (movedTo is null && target != Primary && _timeline.Elapsed > outageStartedAt)
            {
                movedTo = target;
                _timeline.Mark($"traffic moved: requests now served by {target}");
            }
        };

        await WaitAsync(() => Task.FromResult(Describe(source) != Primary), TimeSpan.FromSeconds(60), cancellationToken);
        var failover = _timeline.Elapsed - outageStartedAt;
        _timeline.Mark($"failover complete {failover.TotalSeconds:0.0} s after the outage began; the data plane routes {Route} → {Describe(source)}");
        var failedAtFailover = Interlocked.Read(ref traffic.Failed);
        var attemptsBeforeReroute = traffic.AttemptsOn.GetValueOrDefault(Primary);
        await Task.Delay(options.OutageHold, cancellationToken);
        var attemptsAfterReroute = traffic.AttemptsOn.GetValueOrDefault(Primary) - attemptsBeforeReroute;
        _timeline.Progress(Summary(traffic));

        await simulator.SetChaosAsync("anthropic", ChaosSettings.Healthy, cancellationToken);
        var recoveryStartedAt = _timeline.Elapsed;
        _timeline.Mark("RECOVERY: anthropic is healthy again (breaker goes half-open, then closes with slow start)");
        await WaitAsync(() => Task.FromResult(Describe(source) == Primary), options.RecoveryTimeout, cancellationToken);
        _timeline.Mark($"traffic back on {Primary} {(_timeline.Elapsed - recoveryStartedAt).TotalSeconds:0.0} s after recovery");
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);

        await stopTraffic.CancelAsync();
        await Task.WhenAll(Quietly(trafficTask), Quietly(watching));
        Console.WriteLine();
        Console.WriteLine("== summary");
        Console.WriteLine($"  requests sent {traffic.Sent}, succeeded {traffic.Succeeded}, FAILED {traffic.Failed} (safety-net retries {traffic.Retried})");
        Console.WriteLine($"  served by: {string.Join(", ", traffic.ServedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        Console.WriteLine($"  outage → data plane rerouted: {failover.TotalSeconds:0.0} s (probe interval {options.ProbeInterval.TotalSeconds} s); failed by then: {failedAtFailover}");
        Console.WriteLine($"  attempts on the dead provider after the data plane rerouted: {attemptsAfterReroute} (before that, each refused attempt was retried elsewhere by the safety net)");
        Console.WriteLine($"  routing table versions: {await VersionCountAsync(api)}; see {controlPlane.BaseUrl}api/transitions for the audit trail");
        Directory.Delete(_work, recursive: true);
        return traffic.Failed == 0 ? 0 : 1;
    }

    private async Task<IHost> StartDataPlaneAsync(Uri controlPlane, ServiceEnvironment environment, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddControlPlaneClient(o =>
        {
            o.SubscriberId = $"demo-data-plane-{Environment.ProcessId}";
            o.ControlPlaneUrl = controlPlane.ToString();
            o.RabbitMqUri = environment.Variables["ConnectionStrings__RabbitMq"];
            o.TrustedKeys[ServiceEnvironment.SigningKeyId] = environment.Keys.PublicKeyPem;
            o.CacheFile = Path.Combine(_work, "routing-table.json");
            o.StatusReportInterval = TimeSpan.FromSeconds(2);
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    private static string Describe(IRoutingTableSource source)
    {
        var route = source.Current?.Table.Routes.FirstOrDefault(r => r.Route == Route);
        if (route is null)
        {
            return "(none)";
        }

        if (route.PinnedTarget is { } pinned)
        {
            return route.Panic ? $"{pinned} (panic)" : pinned;
        }

        return route.ActiveTier is { } tier
            ? string.Join(" + ", route.Tiers[tier].Targets.Where(t => t.Eligible).Select(t => t.Target))
            : "(no target)";
    }

    private static string Summary(DataPlane traffic) =>
        $"so far: {traffic.Sent} sent, {traffic.Succeeded} ok, {traffic.Failed} failed; served by " +
        string.Join(", ", traffic.ServedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));

    private static async Task<int> VersionCountAsync(HttpClient api)
    {
        using var versions = JsonDocument.Parse(await api.GetStringAsync(new Uri("api/routing-tables?limit=1000", UriKind.Relative)));
        return versions.RootElement.GetArrayLength();
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!await condition())
        {
            await Task.Delay(50, deadline.Token);
        }
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

    private string CatalogJson(SimulatorHost simulator)
    {
        var interval = options.ProbeInterval.ToString("c", CultureInfo.InvariantCulture);
        var timeout = (options.ProbeInterval * 0.75).ToString("c", CultureInfo.InvariantCulture);
        var catalog = new JsonObject
        {
            ["Probe"] = new JsonObject { ["Mode"] = "inference", ["Interval"] = interval, ["Timeout"] = timeout, ["LatencyObjective"] = "00:00:01" },
            ["Providers"] = new JsonArray(Providers.Select(p => (JsonNode)new JsonObject
            {
                ["Id"] = p.Id,
                ["Kind"] = p.Kind,
                ["BaseUrl"] = simulator.BaseUrlOf(p.Id).ToString(),
                ["ApiKeyEnv"] = KeyVariable(p.Id),
            }).ToArray()),
            ["Targets"] = new JsonArray(Providers.Select(p => (JsonNode)new JsonObject { ["Provider"] = p.Id, ["Model"] = p.Model }).ToArray()),
            ["Routes"] = new JsonArray(new JsonObject
            {
                ["Id"] = Route,
                ["PanicPolicy"] = "fail-open",
                ["Tiers"] = new JsonArray(Providers.Select(p => (JsonNode)new JsonObject
                {
                    ["Targets"] = new JsonArray(new JsonObject { ["Target"] = $"{p.Id}/{p.Model}", ["Weight"] = 100 }),
                }).ToArray()),
            }),
        };
        return new JsonObject { ["Catalog"] = catalog }.ToJsonString();
    }
}
