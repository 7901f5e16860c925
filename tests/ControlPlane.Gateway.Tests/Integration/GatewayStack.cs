using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ControlPlane.Contracts;
using ControlPlane.Testing;

namespace ControlPlane.Gateway.Tests.Integration;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GatewayStackCollection : ICollectionFixture<GatewayStack>
{
    public const string Name = "gateway stack";
}

/// <summary>
/// Postgres, RabbitMQ, the simulator, one control-plane process and one gateway process, shared by the end-to-end
/// tests (each resets the chaos it set). Probes every 2 s; short breaks so recovery is quick.
/// </summary>
public sealed partial class GatewayStack : IAsyncLifetime
{
    /// <summary>Both tiers Anthropic, so the route serves the OpenAI and the Anthropic API.</summary>
    public static readonly TestRoute Chat = new("chat", "anthropic-primary", "anthropic-secondary", "claude-sonnet-4-5");

    /// <summary>Only OpenAI targets: Anthropic and Responses clients reach them through translation.</summary>
    public static readonly TestRoute Gpt = new("gpt", "openai-primary", "openai-secondary", "gpt-4.1")
    {
        RefusedPhrases = new Dictionary<string, string[]> { ["openai-primary"] = [ForbiddenTopic] }, // OnContentPolicy: return (default)
    };

    /// <summary>A phrase the content policy of some simulated providers refuses (<see cref="TestRoute.RefusedPhrases"/>).</summary>
    public const string ForbiddenTopic = "forbidden-topic";

    /// <summary>Only Gemini targets: every client API reaches them through translation. Its primary is capped fleet-wide.</summary>
    public static readonly TestRoute Gem = new("gem", "gemini-primary", "gemini-secondary", "gemini-2.5-flash")
    {
        MaxConcurrency = new Dictionary<string, int> { ["gemini-primary"] = 8 },
    };

    /// <summary>
    /// Request classes: tier 0 Anthropic, tier 1 a local model that serves only standard and background requests;
    /// built-in actions (background shed, needs-primary held, up to 15 s) while the primary tier is out.
    /// </summary>
    public static readonly TestRoute Tiered = new("tiered", "anthropic-tiered", "local-tiered", "claude-sonnet-4-5")
    {
        SecondaryModel = "llama3.1:8b",
        Degradation = new System.Text.Json.Nodes.JsonObject { ["HoldTimeout"] = "00:00:15", ["ShedStatus"] = 503 },
        TierClasses = new Dictionary<int, string[]> { [1] = ["standard", "background"] },
    };

    /// <summary>Every route of the shared stack's catalog.</summary>
    public static IReadOnlyList<TestRoute> Routes => [Chat, Gpt, Gem, Tiered, Cached, Ctx, Lim, Quiet, Unp];

    /// <summary>
    /// Issue #16: a primary whose model its provider does not serve (every request a 404, from the first probe on), so
    /// it is never proven, and a working secondary. Its own providers: the primary stays broken for the stack's life.
    /// </summary>
    public static readonly TestRoute Unp = new("unp", "openai-unproven", "openai-proven", "gpt-4.1-nano")
    {
        ModelMissingAt = ["openai-unproven"],
    };

    /// <summary>An admin API key with read scope, for tests that look at breakers and alerts.</summary>
    public static readonly TestApiKey Reader = TestApiKey.Create("gateway-it", "read");

    /// <summary>
    /// A stale-if-error response cache (its own providers, so the cache test can take the whole route down without
    /// touching the others). Anthropic targets: Anthropic clients pass through, OpenAI clients are translated.
    /// </summary>
    public static readonly TestRoute Cached = new("cached", "anthropic-cache-1", "anthropic-cache-2", "claude-haiku-4-5")
    {
        Cache = new JsonObject { ["Mode"] = "stale-if-error", ["Ttl"] = "00:10:00" },
    };

    /// <summary>
    /// A small-window tier 0 and a large-window tier 1 (both OpenAI, so OpenAI clients pass through and Anthropic
    /// clients are translated): a request too long for tier 0 goes to tier 1. The windows are in the catalog and the
    /// simulator enforces them. Tier 0's content policy refuses <see cref="ForbiddenTopic"/>, and the route sends
    /// content-policy refusals on to the next target.
    /// </summary>
    public static readonly TestRoute Ctx = new("ctx", "openai-ctx-small", "openai-ctx-large", "gpt-4o-mini")
    {
        ContextWindows = new Dictionary<string, int> { ["openai-ctx-small"] = 1_000, ["openai-ctx-large"] = 100_000 },
        OnContentPolicy = "next-target",
        RefusedPhrases = new Dictionary<string, string[]> { ["openai-ctx-small"] = [ForbiddenTopic] },
    };

    /// <summary>Its own targets, so slowing its primary for the concurrency-limit test leaves the other routes alone.</summary>
    public static readonly TestRoute Lim = new("lim", "openai-limited", "openai-spare", "gpt-4.1-mini");

    /// <summary>Its own targets, so the probe-suppression test decides alone when traffic covers them.</summary>
    public static readonly TestRoute Quiet = new("quiet", "openai-quiet", "openai-quiet-spare", "gpt-4.1-nano");

    public static readonly Dictionary<string, string?> FastSafetyNet = new()
    {
        ["Gateway__ResponseHeadersTimeout"] = "00:00:01",
        ["Gateway__StreamingResponseHeadersTimeout"] = "00:00:01",
    };

    private readonly PostgresDatabase _database = new();

    public ControlPlaneStack Stack { get; private set; } = null!;

    public ServiceProcess ControlPlane { get; private set; } = null!;

    public ServiceProcess Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Stack = await ControlPlaneStack.CreateAsync(
            _database.ConnectionString,
            Routes,
            probeInterval: TimeSpan.FromSeconds(2),
            environment: new Dictionary<string, string?>
            {
                ["Breakers__BaseBreakDuration"] = "00:00:02",
                ["Breakers__MaxBreakDuration"] = "00:00:04",
                ["Breakers__SlowStartDuration"] = "00:00:01",
                ["Logging__LogLevel__Quartz"] = "Warning",
                ["Logging__LogLevel__MassTransit"] = "Warning",
            },
            keys: [Reader]);
        ControlPlane = await Stack.StartReplicaAsync();
        Gateway = await Stack.StartGatewayAsync(FastSafetyNet);

        // The one table change the stack makes by itself: settle it before any test, so tests that expect the table to
        // hold still (a forged table must not move the gateway's version) see a table that does. Should the change never
        // come, UnprovenTargetTests fails on it; every other test of the stack still runs.
        try
        {
            await UntilTargetAsync(Unp.Id, Unp.Primary, eligible: false, "the never-answering primary of 'unp' is unproven and out");
        }
        catch (TimeoutException)
        {
        }
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        await _database.DisposeAsync();
    }

    public static HttpClient Client(ServiceProcess gateway) => new() { BaseAddress = gateway.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The control plane's current signed table, as any subscriber fetches it.</summary>
    public async Task<RoutingTableChanged?> TableAsync()
    {
        using var http = new HttpClient { BaseAddress = ControlPlane.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri("/api/routing-table", UriKind.Relative));
        return response.IsSuccessStatusCode ? ContractsJson.DeserializeRoutingTableChanged(await response.Content.ReadAsByteArrayAsync()) : null;
    }

    /// <summary>The routing table version a gateway holds, from its own metrics.</summary>
    public static async Task<long> GatewayVersionAsync(ServiceProcess gateway)
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var match = VersionMetric().Match(metrics);
        return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Waits until the control plane's table makes <paramref name="eligible"/> hold for the target, then until the gateway applied it.</summary>
    public async Task<long> UntilTargetAsync(string route, string target, bool eligible, string because)
    {
        long version = 0;
        await Stack.UntilAsync(async () =>
        {
            var table = await TableAsync();
            var entry = table?.Table.Routes.Single(r => r.Route == route).Tiers.SelectMany(t => t.Targets).Single(t => t.Target == target);
            if (entry is null || (entry.Eligible && entry.Weight > 0) != eligible)
            {
                return false;
            }

            version = table!.Version;
            return true;
        }, because, TimeSpan.FromSeconds(90));
        await Stack.UntilAsync(async () => await GatewayVersionAsync(Gateway) >= version, $"the gateway applies version {version}");
        return version;
    }

    /// <summary>
    /// Every attempt the gateway made on a target, whatever its outcome, from the gateway's own metrics (the
    /// simulator's counts mix the gateway's requests with the control plane's probes).
    /// </summary>
    public async Task<double> AttemptsOnAsync(string target)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var metrics = await PrometheusText.ScrapeAsync(http, Gateway.BaseUrl);
        return metrics.Sum("gateway_upstream_attempts_total", labels => labels.GetValueOrDefault("target") == target);
    }

    public static object OpenAiRequest(string model, bool stream) => new
    {
        model,
        stream,
        max_tokens = 16,
        messages = new[] { new { role = "user", content = "ping" } },
    };

    public static object AnthropicRequest(string model, bool stream) => new
    {
        model,
        stream,
        max_tokens = 16,
        messages = new[] { new { role = "user", content = "ping" } },
    };

    public static HttpRequestMessage Post(string path, object body, string? anthropicVersion = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        if (anthropicVersion is not null)
        {
            request.Headers.Add("anthropic-version", anthropicVersion);
        }

        return request;
    }

    [GeneratedRegex(@"^gateway_routing_table_version (\S+)$", RegexOptions.Multiline)]
    private static partial Regex VersionMetric();
}
