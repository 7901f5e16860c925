namespace ControlPlane.Core.Catalog;

/// <summary>
/// The "Catalog" configuration section as bound from configuration. Loose on purpose (strings, nullables):
/// <see cref="CatalogBuilder"/> turns it into a <see cref="ProviderCatalog"/> or lists every problem at once.
/// Lists rather than dictionaries so that duplicate ids are visible instead of silently merged.
/// </summary>
public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>Probe defaults for every target; providers and targets override field by field.</summary>
    public ProbeOptions Probe { get; set; } = new();

    public List<ProviderOptions> Providers { get; set; } = [];

    public List<TargetOptions> Targets { get; set; } = [];

    public List<RouteOptions> Routes { get; set; } = [];
}

public sealed class ProviderOptions
{
    public string? Id { get; set; }

    /// <summary>anthropic, openai, gemini or openai-compatible.</summary>
    public string? Kind { get; set; }

    public string? BaseUrl { get; set; }

    /// <summary>Name of the environment variable that holds the key (not the key).</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>Path of a file (e.g. a mounted Kubernetes secret) that holds the key.</summary>
    public string? ApiKeyFile { get; set; }

    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>Optional ceiling on probe requests per minute across this provider's targets (probing costs money).</summary>
    public int? ProbeBudgetPerMinute { get; set; }

    public ProbeOptions? Probe { get; set; }
}

public sealed class TargetOptions
{
    /// <summary>Optional; defaults to "{provider}/{model}".</summary>
    public string? Id { get; set; }

    public string? Provider { get; set; }

    public string? Model { get; set; }

    public ProbeOptions? Probe { get; set; }

    /// <summary>Adjustments to requests sent to this target; a route entry's overlay overrides it field by field.</summary>
    public OverlayOptions? Overlay { get; set; }

    /// <summary>
    /// The model's context window in tokens (prompt and output together), when known. A request a target refuses as too
    /// long moves on to the route's targets with a larger window.
    /// </summary>
    public int? ContextWindow { get; set; }

    /// <summary>
    /// The most requests the whole fleet of gateways may have in flight to this target at once; each gateway takes an
    /// equal share (the table says how many gateways report traffic). Absent: only each gateway's own ceiling.
    /// </summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>The model's list price, to cost what probes spend (USD per million tokens); absent: tokens are only counted.</summary>
    public PriceOptions? Price { get; set; }
}

/// <summary>USD per million tokens; both are required when a price is given. Reasoning tokens are billed as output.</summary>
public sealed class PriceOptions
{
    public decimal? InputPerMillion { get; set; }

    public decimal? OutputPerMillion { get; set; }
}

public sealed class ProbeOptions
{
    /// <summary>inference or models.</summary>
    public string? Mode { get; set; }

    public TimeSpan? Interval { get; set; }

    public TimeSpan? Timeout { get; set; }

    /// <summary>A success slower than this is classified as slow.</summary>
    public TimeSpan? LatencyObjective { get; set; }

    public int? MaxTokens { get; set; }

    public string? Prompt { get; set; }

    public bool? Stream { get; set; }

    public Dictionary<string, string>? Headers { get; set; }

    /// <summary>auto (default: by model family), standard or reasoning; see docs/configuration.md, Probe profiles.</summary>
    public string? Profile { get; set; }
}

public sealed class RouteOptions
{
    public string? Id { get; set; }

    /// <summary>
    /// Other model names clients may send for this route: exact names (<c>gpt-4o</c>) or patterns where <c>*</c>
    /// matches any run of characters (<c>claude-*</c>); compared ignoring case.
    /// </summary>
    public List<string> Aliases { get; set; } = [];

    public List<TierOptions> Tiers { get; set; } = [];

    /// <summary>fail-open (default) or fail-closed.</summary>
    public string? PanicPolicy { get; set; }

    /// <summary>Request classes and what each gets when the route degrades; absent: every request is served as usual.</summary>
    public DegradationOptions? Degradation { get; set; }

    /// <summary>The route's known-good response cache; none when absent (docs/gateway.md, Cache).</summary>
    public RouteCacheOptions? Cache { get; set; }

    /// <summary>
    /// What a content-policy refusal from a target does: return (default: the client gets the refusal) or next-target
    /// (the request moves on to the route's next target, as after a failure, without counting against the target).
    /// </summary>
    public string? OnContentPolicy { get; set; }
}

public sealed class DegradationOptions
{
    /// <summary>Class of a request that names none (no header, no client-key default); default <c>standard</c>.</summary>
    public string? DefaultClass { get; set; }

    /// <summary>How long a held request waits for its class to be served again; default 30 s.</summary>
    public TimeSpan? HoldTimeout { get; set; }

    /// <summary>Status of a shed request: 503 (default) or 429.</summary>
    public int? ShedStatus { get; set; }

    /// <summary>Classes beyond (or overriding) the built-in critical, standard, background and needs-primary.</summary>
    public List<RequestClassOptions> Classes { get; set; } = [];
}

public sealed class RequestClassOptions
{
    /// <summary>Lower-case letters, digits and '-'.</summary>
    public string? Name { get; set; }

    /// <summary>serve, hold or shed while the primary tier is out.</summary>
    public string? Degraded { get; set; }

    /// <summary>serve, hold or shed while no target is eligible (panic).</summary>
    public string? Panic { get; set; }
}

/// <summary>A route's exact-match response cache, opt-in.</summary>
public sealed class RouteCacheOptions
{
    /// <summary>stale-if-error (serve only when every target failed) or always (serve any fresh repeat).</summary>
    public string? Mode { get; set; }

    /// <summary>How long a stored answer may be served; default 5 minutes.</summary>
    public TimeSpan? Ttl { get; set; }

    /// <summary>Also cache requests with a temperature above 0 (absent counts as the API's default, 1).</summary>
    public bool AllowTemperature { get; set; }

    /// <summary>Serve an answer to every client key, not only to the key that received it.</summary>
    public bool ShareAcrossKeys { get; set; }
}

public sealed class TierOptions
{
    public List<WeightedTargetOptions> Targets { get; set; } = [];

    /// <summary>
    /// Request classes this tier serves (needs the route's Degradation). Absent: every class, except that only the
    /// first tier serves needs-primary.
    /// </summary>
    public List<string>? Classes { get; set; }
}

public sealed class WeightedTargetOptions
{
    public string? Target { get; set; }

    public int Weight { get; set; } = 1;

    /// <summary>Overrides the target's own overlay field by field, for this route only.</summary>
    public OverlayOptions? Overlay { get; set; }
}

/// <summary>
/// A target's "pre-configured alternative": what a data plane changes in each request it sends there. Every field is
/// optional; a route entry's overlay overrides the target's field by field (within Defaults and Clamps too).
/// </summary>
public sealed class OverlayOptions
{
    public SystemPromptOptions? SystemPrompt { get; set; }

    public OverlayDefaultsOptions? Defaults { get; set; }

    public OverlayClampsOptions? Clamps { get; set; }

    /// <summary>Parameters to drop: temperature, top_p, top_k, stop, reasoning, response_format, tools, parallel_tool_calls, user.</summary>
    public List<string>? Remove { get; set; }

    /// <summary>Extra headers for the provider. Not for credentials: the table carrying them goes to every gateway.</summary>
    public Dictionary<string, string>? Headers { get; set; }
}

public sealed class SystemPromptOptions
{
    /// <summary>prepend, append or replace.</summary>
    public string? Mode { get; set; }

    public string? Text { get; set; }
}

public sealed class OverlayDefaultsOptions
{
    public int? MaxTokens { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    /// <summary>minimal, low, medium or high.</summary>
    public string? ReasoningEffort { get; set; }
}

public sealed class OverlayClampsOptions
{
    /// <summary>Ceiling on the output token limit.</summary>
    public int? MaxTokens { get; set; }

    public double? TemperatureMin { get; set; }

    public double? TemperatureMax { get; set; }
}
