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

    /// <summary>
    /// What a content-policy refusal from a target does: return (default: the client gets the refusal) or next-target
    /// (the request moves on to the route's next target, as after a failure, without counting against the target).
    /// </summary>
    public string? OnContentPolicy { get; set; }
}

public sealed class TierOptions
{
    public List<WeightedTargetOptions> Targets { get; set; } = [];
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
