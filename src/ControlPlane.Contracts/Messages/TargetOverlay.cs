namespace ControlPlane.Contracts;

/// <summary>
/// A pre-configured adjustment a data plane applies to every request it sends to one target through one route
/// (after translating it to the target's API): system prompt, parameter defaults and clamps, parameters removed,
/// extra headers. It lets one client prompt, tuned for one model, keep working on another.
/// </summary>
/// <remarks>
/// Overlays travel signed to every subscriber: they never hold credentials (credential and hop-by-hop headers are
/// refused by the catalog). Fractions do not occur in signed content, so temperatures and <c>top_p</c> are
/// thousandths (<c>700</c> = 0.7).
/// </remarks>
public sealed record TargetOverlay
{
    /// <summary>What to do with the request's system prompt; null leaves it alone.</summary>
    public SystemPromptOverlay? SystemPrompt { get; init; }

    /// <summary>Values used only where the client set none; null when there are none.</summary>
    public OverlayDefaults? Defaults { get; init; }

    /// <summary>Bounds forced on the request (also on values that came from <see cref="Defaults"/>); null when none.</summary>
    public OverlayClamps? Clamps { get; init; }

    /// <summary>Request parameters to drop before sending, from <see cref="OverlayRemovals"/>; empty when none.</summary>
    public IReadOnlyList<string> Remove { get; init; } = [];

    /// <summary>
    /// Extra request headers for the provider, names in lower case. Never credentials, never hop-by-hop headers.
    /// Empty when none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}

/// <summary>A system prompt overlay.</summary>
public sealed record SystemPromptOverlay
{
    /// <summary>One of <see cref="SystemPromptModes"/>.</summary>
    public required string Mode { get; init; }

    /// <summary>The text to prepend, append, or replace the client's system prompt with.</summary>
    public required string Text { get; init; }
}

/// <summary>Parameter values applied only when the client's request has none.</summary>
public sealed record OverlayDefaults
{
    /// <summary>Output token limit.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Temperature in thousandths (0–2000).</summary>
    public int? TemperatureMilli { get; init; }

    /// <summary>Nucleus sampling <c>top_p</c> in thousandths (0–1000).</summary>
    public int? TopPMilli { get; init; }

    /// <summary>Reasoning effort: one of <see cref="ReasoningEfforts"/>.</summary>
    public string? ReasoningEffort { get; init; }
}

/// <summary>Bounds forced on a request's parameters.</summary>
public sealed record OverlayClamps
{
    /// <summary>Ceiling on the output token limit.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Lowest temperature allowed, in thousandths.</summary>
    public int? TemperatureMinMilli { get; init; }

    /// <summary>Highest temperature allowed, in thousandths.</summary>
    public int? TemperatureMaxMilli { get; init; }
}

/// <summary>Values of <see cref="SystemPromptOverlay.Mode"/>.</summary>
public static class SystemPromptModes
{
    /// <summary>The overlay text goes before the client's system prompt.</summary>
    public const string Prepend = "prepend";

    /// <summary>The overlay text goes after the client's system prompt.</summary>
    public const string Append = "append";

    /// <summary>The overlay text replaces the client's system prompt.</summary>
    public const string Replace = "replace";

    /// <summary>Every mode.</summary>
    public static IReadOnlyList<string> All { get; } = [Prepend, Append, Replace];
}

/// <summary>Values of <see cref="TargetOverlay.Remove"/>: the request parameters an overlay may drop (a closed set).</summary>
public static class OverlayRemovals
{
    /// <summary>Sampling temperature.</summary>
    public const string Temperature = "temperature";

    /// <summary>Nucleus sampling.</summary>
    public const string TopP = "top_p";

    /// <summary>Top-k sampling.</summary>
    public const string TopK = "top_k";

    /// <summary>Stop sequences.</summary>
    public const string Stop = "stop";

    /// <summary>Reasoning / extended thinking.</summary>
    public const string Reasoning = "reasoning";

    /// <summary>Structured output (JSON mode, JSON schema).</summary>
    public const string ResponseFormat = "response_format";

    /// <summary>Tool definitions, with the tool choice and the parallel tool call setting.</summary>
    public const string Tools = "tools";

    /// <summary>The parallel tool call setting.</summary>
    public const string ParallelToolCalls = "parallel_tool_calls";

    /// <summary>The end-user id.</summary>
    public const string User = "user";

    /// <summary>Every removable parameter.</summary>
    public static IReadOnlyList<string> All { get; } = [Temperature, TopP, TopK, Stop, Reasoning, ResponseFormat, Tools, ParallelToolCalls, User];
}

/// <summary>Values of <see cref="OverlayDefaults.ReasoningEffort"/>.</summary>
public static class ReasoningEfforts
{
    /// <summary>The least reasoning a model offers.</summary>
    public const string Minimal = "minimal";

    /// <summary>Low effort.</summary>
    public const string Low = "low";

    /// <summary>Medium effort.</summary>
    public const string Medium = "medium";

    /// <summary>High effort.</summary>
    public const string High = "high";

    /// <summary>Every effort level.</summary>
    public static IReadOnlyList<string> All { get; } = [Minimal, Low, Medium, High];
}
