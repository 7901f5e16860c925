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

    public List<TierOptions> Tiers { get; set; } = [];

    /// <summary>fail-open (default) or fail-closed.</summary>
    public string? PanicPolicy { get; set; }
}

public sealed class TierOptions
{
    public List<WeightedTargetOptions> Targets { get; set; } = [];
}

public sealed class WeightedTargetOptions
{
    public string? Target { get; set; }

    public int Weight { get; set; } = 1;
}
