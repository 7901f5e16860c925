using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Contracts;
using ControlPlane.Simulator;

namespace ControlPlane.Testing;

/// <summary>
/// One route of the catalog: a tier-0 target on one simulated provider and a tier-1 target on another (the same model
/// name unless <see cref="SecondaryModel"/> says otherwise), then any <see cref="MoreTiers"/>. A provider's kind
/// follows its id's prefix (<see cref="ControlPlaneStack.KindOf"/>).
/// </summary>
public sealed record TestRoute(string Id, string PrimaryProvider, string SecondaryProvider, string Model)
{
    /// <summary>The tier-1 target's model, when it differs (a route across provider kinds).</summary>
    public string? SecondaryModel { get; init; }

    /// <summary>Tiers after the second, one target each.</summary>
    public IReadOnlyList<(string Provider, string Model)> MoreTiers { get; init; } = [];

    /// <summary>The route's model aliases (exact names and <c>*</c> patterns).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Target overlays (the catalog's <c>Overlay</c> object), by provider id.</summary>
    public IReadOnlyDictionary<string, JsonObject> Overlays { get; init; } = new Dictionary<string, JsonObject>();

    /// <summary>The route's <c>Degradation</c> section (request classes), or null for none.</summary>
    public JsonObject? Degradation { get; init; }

    /// <summary>The request classes a tier serves (its <c>Classes</c>), by tier index; tiers not listed name none.</summary>
    public IReadOnlyDictionary<int, string[]> TierClasses { get; init; } = new Dictionary<int, string[]>();

    /// <summary>The route's <c>Cache</c> object in the catalog; none when null.</summary>
    public JsonObject? Cache { get; init; }

    /// <summary>Context windows in tokens, by provider id: the catalog target's <c>ContextWindow</c>, and the simulator's for its model.</summary>
    public IReadOnlyDictionary<string, int> ContextWindows { get; init; } = new Dictionary<string, int>();

    /// <summary>Fleet-wide concurrency ceilings (the catalog target's <c>MaxConcurrency</c>), by provider id.</summary>
    public IReadOnlyDictionary<string, int> MaxConcurrency { get; init; } = new Dictionary<string, int>();

    /// <summary>List prices in USD per million tokens (the catalog target's <c>Price</c>), by provider id.</summary>
    public IReadOnlyDictionary<string, (decimal InputPerMillion, decimal OutputPerMillion)> Prices { get; init; } =
        new Dictionary<string, (decimal InputPerMillion, decimal OutputPerMillion)>();

    /// <summary>Probe budgets (the catalog provider's <c>ProbeBudgetPerMinute</c>), by provider id.</summary>
    public IReadOnlyDictionary<string, int> ProbeBudgets { get; init; } = new Dictionary<string, int>();

    /// <summary>The route's <c>OnContentPolicy</c> rule (null: the catalog default, return).</summary>
    public string? OnContentPolicy { get; init; }

    /// <summary>Phrases the simulated provider's content policy refuses, by provider id.</summary>
    public IReadOnlyDictionary<string, string[]> RefusedPhrases { get; init; } = new Dictionary<string, string[]>();

    /// <summary>
    /// Providers whose simulator does not serve this route's model: every request for it gets the API's 404 (an unknown
    /// model), from the first probe on — a target that is never proven.
    /// </summary>
    public IReadOnlyList<string> ModelMissingAt { get; init; } = [];

    public string Primary => $"{PrimaryProvider}/{Model}";

    public string Secondary => $"{SecondaryProvider}/{SecondaryModel ?? Model}";

    /// <summary>Every tier's (provider, model), tier 0 first.</summary>
    public IReadOnlyList<(string Provider, string Model)> Tiers =>
        [(PrimaryProvider, Model), (SecondaryProvider, SecondaryModel ?? Model), .. MoreTiers];
}

/// <summary>An admin API key the test generated: the service only ever sees its SHA-256.</summary>
public sealed record TestApiKey(string Name, string Secret, params string[] Scopes)
{
    public static TestApiKey Create(string name, params string[] scopes) =>
        new(name, "cpk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), scopes);

    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Secret)));
}

/// <summary>
/// The simulator in-process, a catalog file pointing at it, and real service processes (the built DLL) on one
/// database, configured through environment variables the way an operator configures them.
/// </summary>
public sealed class ControlPlaneStack : IAsyncDisposable
{
    private readonly string _configFile = Path.Combine(Path.GetTempPath(), $"controlplane-it-{Guid.NewGuid():N}.json");
    private readonly Dictionary<string, string?> _environment;
    private readonly List<ServiceProcess> _replicas = [];
    private readonly List<ServiceProcess> _gateways = [];

    /// <summary>The service's CONTROLPLANE_CONFIG_FILE variable (ServiceDefaults.ConfigFileVariable).</summary>
    public const string ConfigFileVariable = "CONTROLPLANE_CONFIG_FILE";

    private ControlPlaneStack(SimulatorHost simulator, Dictionary<string, string?> environment, SigningKeyPair keys, IReadOnlyDictionary<string, string> secrets)
    {
        Simulator = simulator;
        _environment = environment;
        Keys = keys;
        ProviderKeys = secrets;
    }

    public SimulatorHost Simulator { get; }

    /// <summary>The pair tables are signed with under <see cref="SigningKeyId"/>; subscribers trust its public half.</summary>
    public SigningKeyPair Keys { get; }

    public const string SigningKeyId = ServiceEnvironment.SigningKeyId;

    /// <summary>Provider id → the API key the simulator expects (data planes configure their own copy).</summary>
    public IReadOnlyDictionary<string, string> ProviderKeys { get; }

    /// <summary>The broker every process of the stack uses.</summary>
    public string RabbitMqUri => _environment["ConnectionStrings__RabbitMq"]!;

    public IReadOnlyList<ServiceProcess> Replicas => _replicas;

    /// <summary>
    /// Starts the simulator with every provider the routes name (each accepting every model), writes the catalog
    /// and returns the stack with no replica running yet.
    /// </summary>
    public static async Task<ControlPlaneStack> CreateAsync(
        string connectionString,
        IReadOnlyList<TestRoute> routes,
        TimeSpan probeInterval,
        IReadOnlyDictionary<string, string?>? environment = null,
        IReadOnlyList<TestApiKey>? keys = null)
    {
        var providers = routes.SelectMany(r => r.Tiers.Select(t => t.Provider)).Distinct().ToList();
        var secrets = providers.ToDictionary(p => p, p => $"sk-sim-{p}-{Guid.NewGuid():N}");
        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Providers = providers.Select(p => new SimulatedProviderOptions
            {
                Id = p,
                Kind = KindOf(p),
                ApiKey = secrets[p],
                Models = ServedModels(routes, p),
                ContextWindows = routes
                    .SelectMany(r => r.Tiers.Where(t => t.Provider == p && r.ContextWindows.ContainsKey(p)).Select(t => (t.Model, Window: r.ContextWindows[p])))
                    .DistinctBy(t => t.Model)
                    .ToDictionary(t => t.Model, t => t.Window),
                RefusedPhrases = routes.SelectMany(r => r.RefusedPhrases.GetValueOrDefault(p) ?? []).Distinct().ToList(),
            }).ToList(),
        });

        // A stack on its own broker (chaos tests) names it in the environment; otherwise the shared one.
        var service = await ServiceEnvironment.CreateAsync(connectionString, environment?.GetValueOrDefault("ConnectionStrings__RabbitMq"));
        var signing = service.Keys;
        var env = service.Variables;
        env["Probing__ClusterCheckinInterval"] = "00:00:01";
        foreach (var (provider, secret) in secrets)
        {
            env[KeyVariable(provider)] = secret;
        }

        for (var i = 0; i < (keys?.Count ?? 0); i++)
        {
            var key = keys![i];
            env[$"AdminApi__Keys__{i}__Name"] = key.Name;
            env[$"AdminApi__Keys__{i}__Sha256"] = key.Sha256;
            for (var s = 0; s < key.Scopes.Length; s++)
            {
                env[$"AdminApi__Keys__{i}__Scopes__{s}"] = key.Scopes[s];
            }
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            env[name] = value;
        }

        var stack = new ControlPlaneStack(simulator, env, signing, secrets);
        await File.WriteAllTextAsync(stack._configFile, CatalogJson(simulator, providers, routes, probeInterval));
        env[ConfigFileVariable] = stack._configFile;
        return stack;
    }

    /// <summary>Starts one more replica; <paramref name="overrides"/> changes its environment only (e.g. an unreachable broker).</summary>
    public async Task<ServiceProcess> StartReplicaAsync(IReadOnlyDictionary<string, string?>? overrides = null, IReadOnlyList<string>? launcher = null)
    {
        var environment = new Dictionary<string, string?>(_environment);
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        var replica = await ServiceProcess.StartAsync("ControlPlane.Service", environment, readyTimeout: TimeSpan.FromSeconds(90), launcher: launcher);
        _replicas.Add(replica);
        return replica;
    }

    /// <summary>
    /// Environment of a gateway obeying this stack: the control plane of the first replica, the broker, the trusted
    /// signing key, and every simulated provider with its key (the gateway's own copy of endpoints and secrets).
    /// </summary>
    /// <param name="more">Extra variables (later ones win).</param>
    /// <param name="baseUrls">Provider id → a different endpoint than the simulator's (a fake the test controls).</param>
    public Dictionary<string, string?> GatewayEnvironment(
        IReadOnlyDictionary<string, string?>? more = null, IReadOnlyDictionary<string, Uri>? baseUrls = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["ControlPlaneClient__ControlPlaneUrl"] = _replicas[0].BaseUrl.ToString(),
            ["ControlPlaneClient__RabbitMqUri"] = RabbitMqUri,
            [$"ControlPlaneClient__TrustedKeys__{SigningKeyId}"] = Keys.PublicKeyPem,
            ["ControlPlaneClient__ReconnectDelay"] = "00:00:00.500",
            ["Logging__LogLevel__Default"] = "Information",
        };
        var i = 0;
        foreach (var (provider, secret) in ProviderKeys)
        {
            env[$"Gateway__Providers__{i}__Id"] = provider;
            env[$"Gateway__Providers__{i}__Kind"] = KindOf(provider);
            env[$"Gateway__Providers__{i}__BaseUrl"] = (baseUrls?.GetValueOrDefault(provider) ?? Simulator.BaseUrlOf(provider)).ToString();
            env[$"Gateway__Providers__{i}__ApiKeyEnv"] = KeyVariable(provider);
            env[KeyVariable(provider)] = secret;
            i++;
        }

        foreach (var (name, value) in more ?? new Dictionary<string, string?>())
        {
            env[name] = value;
        }

        return env;
    }

    /// <summary>Starts a gateway process (ControlPlane.Gateway must be built) and waits until it holds a table.</summary>
    public async Task<ServiceProcess> StartGatewayAsync(
        IReadOnlyDictionary<string, string?>? environment = null, IReadOnlyDictionary<string, Uri>? baseUrls = null)
    {
        var gateway = await ServiceProcess.StartAsync("ControlPlane.Gateway", GatewayEnvironment(environment, baseUrls), readyTimeout: TimeSpan.FromSeconds(90));
        _gateways.Add(gateway);
        return gateway;
    }

    /// <summary>Every process's recent output, for failure messages.</summary>
    public string Output() => string.Join("\n", _replicas.Select((r, i) => $"--- replica {i} ---\n{Tail(r.Output, 6000)}")
        .Concat(_gateways.Select((g, i) => $"--- gateway {i} ---\n{Tail(g.Output, 6000)}")));

    /// <summary><see cref="Eventually.UntilAsync"/> with the replicas' logs attached to the failure.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.UntilAsync(condition, timeout ?? TimeSpan.FromSeconds(60), because);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Output()}", e);
        }
    }

    public static HttpClient Client(ServiceProcess replica, TestApiKey? key = null)
    {
        var http = new HttpClient { BaseAddress = replica.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Secret);
        }

        return http;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await Simulator.DisposeAsync();
        File.Delete(_configFile);
    }

    /// <summary>Providers whose id starts with "anthropic" are Anthropic; every other one is OpenAI.</summary>
    /// <summary>anthropic…, gemini…, local… (openai-compatible), anything else openai.</summary>
    public static string KindOf(string provider) =>
        provider.StartsWith("anthropic", StringComparison.Ordinal) ? "anthropic"
        : provider.StartsWith("gemini", StringComparison.Ordinal) ? "gemini"
        : provider.StartsWith("local", StringComparison.Ordinal) ? "openai-compatible"
        : "openai";

    // The simulator wants at least one model per provider: one that serves none of its routes' models gets a stand-in.
    private static List<string> ServedModels(IReadOnlyList<TestRoute> routes, string provider)
    {
        var models = routes
            .SelectMany(r => r.Tiers.Where(t => t.Provider == provider && !r.ModelMissingAt.Contains(provider)))
            .Select(t => t.Model)
            .Distinct()
            .ToList();
        return models.Count > 0 ? models : ["no-such-route-model"];
    }

    private static string KeyVariable(string provider) => "CP_IT_KEY_" + provider.ToUpperInvariant().Replace('-', '_');

    private static string CatalogJson(SimulatorHost simulator, IReadOnlyList<string> providers, IReadOnlyList<TestRoute> routes, TimeSpan interval)
    {
        var seconds = interval.ToString("c", CultureInfo.InvariantCulture);
        var catalog = new JsonObject
        {
            ["Probe"] = new JsonObject
            {
                ["Mode"] = "inference",
                ["Interval"] = seconds,
                ["Timeout"] = seconds,
                ["MaxTokens"] = 1,
                ["Stream"] = true,
            },
            ["Providers"] = new JsonArray(providers.Select(p => (JsonNode)new JsonObject
            {
                ["Id"] = p,
                ["Kind"] = KindOf(p),
                ["BaseUrl"] = simulator.BaseUrlOf(p).ToString(),
                ["ApiKeyEnv"] = KeyVariable(p),
                ["ProbeBudgetPerMinute"] = routes.Select(r => r.ProbeBudgets.TryGetValue(p, out var b) ? b : (int?)null).FirstOrDefault(b => b is not null),
            }).ToArray()),
            ["Targets"] = new JsonArray(routes
                .SelectMany(r => r.Tiers.Select(t => (t.Provider, t.Model, Overlay: r.Overlays.GetValueOrDefault(t.Provider),
                    Window: r.ContextWindows.TryGetValue(t.Provider, out var w) ? w : (int?)null,
                    Max: r.MaxConcurrency.TryGetValue(t.Provider, out var m) ? m : (int?)null,
                    Price: r.Prices.TryGetValue(t.Provider, out var p) ? new JsonObject { ["InputPerMillion"] = p.InputPerMillion, ["OutputPerMillion"] = p.OutputPerMillion } : null)))
                .DistinctBy(t => (t.Provider, t.Model))
                .Select(t => (JsonNode)new JsonObject
                {
                    ["Provider"] = t.Provider, ["Model"] = t.Model, ["Overlay"] = t.Overlay?.DeepClone(), ["ContextWindow"] = t.Window,
                    ["MaxConcurrency"] = t.Max, ["Price"] = t.Price,
                })
                .ToArray()),
            ["Routes"] = new JsonArray(routes.Select(r => (JsonNode)new JsonObject
            {
                ["Id"] = r.Id,
                ["Aliases"] = new JsonArray(r.Aliases.Select(a => (JsonNode)JsonValue.Create(a)).ToArray()),
                ["OnContentPolicy"] = r.OnContentPolicy,
                ["Tiers"] = new JsonArray(r.Tiers.Select((t, index) => (JsonNode)Without(new JsonObject
                {
                    ["Targets"] = new JsonArray(new JsonObject { ["Target"] = $"{t.Provider}/{t.Model}", ["Weight"] = 1 }),
                    ["Classes"] = r.TierClasses.TryGetValue(index, out var classes)
                        ? new JsonArray(classes.Select(c => (JsonNode)JsonValue.Create(c)).ToArray())
                        : null,
                })).ToArray()),
                ["Degradation"] = r.Degradation?.DeepClone(),
                ["Cache"] = r.Cache?.DeepClone(),
            }).Select(route => (JsonNode)Without((JsonObject)route)).ToArray()),
        };
        return new JsonObject { ["Catalog"] = catalog }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    // A null in configuration binds as an empty section (an object with defaults), so absent parts are left out.
    private static JsonObject Without(JsonObject node)
    {
        foreach (var name in node.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            node.Remove(name);
        }

        return node;
    }

    private static string Tail(string text, int length) => text.Length <= length ? text : "…" + text[^length..];
}
