using System.Text.Json;

namespace ControlPlane.Simulator.Providers.Reasoning;

/// How an OpenAI model family takes reasoning_effort, as the real API enforces it.
internal enum OpenAiReasoning
{
    /// Not a reasoning model: max_tokens and temperature as usual, reasoning_effort rejected.
    None,

    /// o1, o3, o4-mini, …: low, medium (default), high.
    OSeries,

    /// o1-mini, o1-preview: reason at their default and reject reasoning_effort altogether.
    O1Preview,

    /// gpt-5, gpt-5-mini, gpt-5-nano: minimal, low, medium (default), high.
    Gpt5,

    /// gpt-5.1 and later: none (default), low, medium, high — not minimal.
    Gpt5Point,

    /// gpt-5-pro: only high.
    Gpt5Pro,
}

/// How a Gemini model thinks, as the real API enforces it.
internal enum GeminiThinking
{
    /// Unknown to the simulator: any thinkingConfig passes.
    Unknown,

    /// Gemini 2.0 and older: no thinking; a thinkingConfig is a 400.
    NotSupported,

    /// 2.5 Flash: budget 0 (off) or 1–24,576; dynamic by default.
    Flash,

    /// 2.5 Flash-Lite: budget 0 (off) or 512–24,576.
    FlashLite,

    /// 2.5 Pro: budget 128–32,768; cannot turn thinking off.
    Pro,

    /// Gemini 3: thinkingLevel (default high), no way to turn thinking off.
    Level,
}

/// The simulator's knowledge of reasoning models and how many hidden tokens they spend on a short prompt. Its own
/// copy on purpose: the simulator imitates the providers, it must not agree with the control plane by construction.
internal static class ReasoningModels
{
    /// Reasoning tokens per effort for a short prompt; the real models vary, the order of magnitude is what matters.
    public const int Low = 64;
    public const int Medium = 256;
    public const int High = 1024;

    /// Gemini 2.5's dynamic thinking (no budget set) on a short prompt: a few hundred tokens.
    public const int GeminiDynamic = 320;

    public static OpenAiReasoning OpenAi(string? model)
    {
        var name = (model ?? "").ToLowerInvariant();
        if (name.StartsWith("gpt-5", StringComparison.Ordinal))
        {
            var rest = name["gpt-5".Length..];
            return rest.Contains("-chat", StringComparison.Ordinal) ? OpenAiReasoning.None
                : rest.StartsWith("-pro", StringComparison.Ordinal) ? OpenAiReasoning.Gpt5Pro
                : rest.StartsWith('.') ? OpenAiReasoning.Gpt5Point
                : OpenAiReasoning.Gpt5;
        }

        if (name.Length >= 2 && name[0] == 'o' && char.IsAsciiDigit(name[1]))
        {
            return name.StartsWith("o1-mini", StringComparison.Ordinal) || name.StartsWith("o1-preview", StringComparison.Ordinal)
                ? OpenAiReasoning.O1Preview
                : OpenAiReasoning.OSeries;
        }

        return OpenAiReasoning.None;
    }

    /// The reasoning_effort values a family accepts, in the order OpenAI lists them; empty when it takes none.
    public static IReadOnlyList<string> Efforts(OpenAiReasoning family) => family switch
    {
        OpenAiReasoning.OSeries => ["low", "medium", "high"],
        OpenAiReasoning.Gpt5 => ["minimal", "low", "medium", "high"],
        OpenAiReasoning.Gpt5Point => ["none", "low", "medium", "high"],
        OpenAiReasoning.Gpt5Pro => ["high"],
        _ => [],
    };

    /// Hidden reasoning tokens an OpenAI model spends on the request; null for a model that does not reason.
    public static int? OpenAiSpend(string? model, JsonElement body)
    {
        var family = OpenAi(model);
        if (family == OpenAiReasoning.None)
        {
            return null;
        }

        var effort = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("reasoning_effort", out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()
            : null;
        effort ??= family switch
        {
            OpenAiReasoning.Gpt5Point => "none",
            OpenAiReasoning.Gpt5Pro => "high",
            _ => "medium",
        };
        return ForEffort(effort);
    }

    public static GeminiThinking Gemini(string? model)
    {
        var name = (model ?? "").ToLowerInvariant();
        if (name.StartsWith("models/", StringComparison.Ordinal))
        {
            name = name["models/".Length..];
        }

        return name.StartsWith("gemini-2.5-flash-lite", StringComparison.Ordinal) ? GeminiThinking.FlashLite
            : name.StartsWith("gemini-2.5-flash", StringComparison.Ordinal) ? GeminiThinking.Flash
            : name.StartsWith("gemini-2.5-pro", StringComparison.Ordinal) ? GeminiThinking.Pro
            : name.StartsWith("gemini-3", StringComparison.Ordinal) ? GeminiThinking.Level
            : name.StartsWith("gemini-2.0", StringComparison.Ordinal) || name.StartsWith("gemini-1.", StringComparison.Ordinal) ? GeminiThinking.NotSupported
            : GeminiThinking.Unknown;
    }

    /// Thought tokens a Gemini model spends on the request (usageMetadata.thoughtsTokenCount); null when it does not think.
    public static int? GeminiSpend(string? model, JsonElement body)
    {
        var family = Gemini(model);
        if (family is GeminiThinking.Unknown or GeminiThinking.NotSupported)
        {
            return null;
        }

        var config = ThinkingConfig(body);
        if (config is { } c && c.TryGetProperty("thinkingLevel", out var level) && level.ValueKind == JsonValueKind.String)
        {
            return ForEffort(level.GetString());
        }

        if (config is { } b && b.TryGetProperty("thinkingBudget", out var budget) && budget.TryGetInt32(out var tokens) && tokens >= 0)
        {
            return Math.Min(tokens, GeminiDynamic);
        }

        // No budget (or -1): Gemini 3 thinks at its default level, high; 2.5 thinks dynamically.
        return family == GeminiThinking.Level ? High : GeminiDynamic;
    }

    /// generationConfig.thinkingConfig when the body has one (camelCase or the proto's snake_case).
    public static JsonElement? ThinkingConfig(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object
            || !(body.TryGetProperty("generationConfig", out var generation) || body.TryGetProperty("generation_config", out generation))
            || generation.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return (generation.TryGetProperty("thinkingConfig", out var config) || generation.TryGetProperty("thinking_config", out config))
            && config.ValueKind == JsonValueKind.Object
                ? config
                : null;
    }

    private static int ForEffort(string? effort) => effort switch
    {
        "none" or "minimal" => 0,
        "low" => Low,
        "high" => High,
        "xhigh" => 2 * High,
        _ => Medium,
    };
}
