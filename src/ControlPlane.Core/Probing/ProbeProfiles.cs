using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Probing;

/// <summary>The catalog's <c>Probe.Profile</c>: how the probe request is shaped for the target's model.</summary>
public enum ProbeProfile
{
    /// <summary>By model family: reasoning models get their cheapest valid shape, the rest the standard one.</summary>
    Auto,

    /// <summary>The provider kind's plain shape, whatever the model (no reasoning or thinking fields).</summary>
    Standard,

    /// <summary>Treat the model as a reasoning model even when its name does not say so (a deployment alias).</summary>
    Reasoning,
}

/// <summary>Which request field carries the probe's output limit.</summary>
public enum ProbeTokenLimitField
{
    /// <summary>Anthropic, and OpenAI-compatible servers: <c>max_tokens</c>.</summary>
    MaxTokens,

    /// <summary>OpenAI: <c>max_completion_tokens</c> (reasoning models reject <c>max_tokens</c>).</summary>
    MaxCompletionTokens,

    /// <summary>Gemini: <c>generationConfig.maxOutputTokens</c>.</summary>
    MaxOutputTokens,
}

/// <summary>
/// The request a probe sends, as far as the model family decides it: the output limit's field and value, and the
/// reasoning / thinking settings. Null settings are left out of the request.
/// </summary>
/// <param name="Family">The rule that shaped it (<c>standard</c>, <c>openai-o-series</c>, <c>gemini-2.5-pro</c>, …), for logs and tests.</param>
public sealed record ProbeRequestShape(string Family, ProbeTokenLimitField LimitField, int MaxTokens)
{
    /// <summary>OpenAI Chat Completions <c>reasoning_effort</c>.</summary>
    public string? ReasoningEffort { get; init; }

    /// <summary>Gemini <c>generationConfig.thinkingConfig.thinkingBudget</c> (0 turns thinking off).</summary>
    public int? ThinkingBudget { get; init; }

    /// <summary>Gemini 3 <c>generationConfig.thinkingConfig.thinkingLevel</c>.</summary>
    public string? ThinkingLevel { get; init; }
}

/// <summary>
/// Probe request shapes per provider kind and model family. A probe should cost next to nothing and must still be
/// accepted: reasoning models reject <c>max_tokens</c> (OpenAI) or refuse to turn thinking off (Gemini 2.5 Pro), and a
/// reasoning model given a one-token limit spends it thinking and answers empty (LiteLLM #26987), which a naive check
/// reads as a sick target. So each family gets its lowest reasoning setting. Where that switches reasoning off, the
/// limit leaves room for a short answer. Where it cannot, the limit is set below the reasoning on purpose: the model
/// spends it and stops (finish_reason <c>length</c>, <c>MAX_TOKENS</c>), and the probe counts an answer cut short at its
/// own limit, with the tokens it spent reported, as the model working — so a probe of such a model costs at most
/// <see cref="CappedReasoningLimit"/> output tokens instead of whatever its reasoning would take.
/// </summary>
public static class ProbeProfiles
{
    /// <summary>Effort none / minimal reasons little or not at all; a few tokens of slack, then the answer.</summary>
    public const int NoReasoningRoom = 16;

    /// <summary>Gemini 2.5 Pro's smallest thinking budget (it cannot turn thinking off).</summary>
    public const int GeminiProMinimumBudget = 128;

    /// <summary>
    /// The output limit of a model whose reasoning cannot be switched off: below its reasoning, so the probe is cut
    /// short there and costs at most this many output tokens.
    /// </summary>
    public const int CappedReasoningLimit = 16;

    public static ProbeRequestShape For(ProviderKind kind, string model, ProbeSettings probe)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(probe);

        var standard = Standard(kind, probe.MaxTokens);
        if (probe.Profile == ProbeProfile.Standard)
        {
            return standard;
        }

        var name = BareName(model);
        var byFamily = kind switch
        {
            ProviderKind.OpenAI or ProviderKind.OpenAICompatible => OpenAIFamily(name, probe.MaxTokens),
            ProviderKind.Gemini => GeminiFamily(name, probe.MaxTokens),
            // Thinking is off unless the request asks for it, and max_tokens then bounds the answer alone.
            _ => null,
        };

        if (byFamily is not null || probe.Profile == ProbeProfile.Auto)
        {
            return byFamily ?? standard;
        }

        // Profile reasoning for a name we do not know: the kind's reasoning shape with values every model accepts.
        return kind switch
        {
            ProviderKind.OpenAI or ProviderKind.OpenAICompatible => new ProbeRequestShape(
                "openai-reasoning", ProbeTokenLimitField.MaxCompletionTokens, Room(probe.MaxTokens, CappedReasoningLimit)) { ReasoningEffort = "low" },
            // Valid budgets differ per model (Flash-Lite's smallest non-zero one is 512), so leave thinking at the
            // model's default and make room for it.
            ProviderKind.Gemini => new ProbeRequestShape(
                "gemini-thinking", ProbeTokenLimitField.MaxOutputTokens, Room(probe.MaxTokens, CappedReasoningLimit)),
            _ => standard,
        };
    }

    /// <summary>Today's plain shape: OpenAI's current models want max_completion_tokens, local servers mostly know only max_tokens.</summary>
    private static ProbeRequestShape Standard(ProviderKind kind, int maxTokens) => kind switch
    {
        ProviderKind.OpenAI => new("standard", ProbeTokenLimitField.MaxCompletionTokens, maxTokens),
        ProviderKind.Gemini => new("standard", ProbeTokenLimitField.MaxOutputTokens, maxTokens),
        _ => new("standard", ProbeTokenLimitField.MaxTokens, maxTokens),
    };

    private static ProbeRequestShape? OpenAIFamily(string name, int maxTokens)
    {
        if (name.StartsWith("gpt-5", StringComparison.Ordinal))
        {
            var rest = name["gpt-5".Length..];
            if (rest.Contains("-chat", StringComparison.Ordinal))
            {
                // gpt-5-chat-latest and its successors are the ChatGPT models, without a settable reasoning effort.
                return null;
            }

            if (rest.StartsWith("-pro", StringComparison.Ordinal))
            {
                // Accepts only its default effort, high.
                return Reasoning("openai-gpt-5-pro", maxTokens, null, CappedReasoningLimit);
            }

            if (rest.Contains("-codex", StringComparison.Ordinal))
            {
                return Reasoning("openai-gpt-5-codex", maxTokens, "low", CappedReasoningLimit);
            }

            // gpt-5.1 and later can switch reasoning off ("none") and reject "minimal"; gpt-5 itself is the reverse.
            return rest.StartsWith('.')
                ? Reasoning("openai-gpt-5.x", maxTokens, "none", NoReasoningRoom)
                : Reasoning("openai-gpt-5", maxTokens, "minimal", NoReasoningRoom);
        }

        if (IsOSeries(name))
        {
            // The first o1 previews predate reasoning_effort and reject it.
            return name.StartsWith("o1-mini", StringComparison.Ordinal) || name.StartsWith("o1-preview", StringComparison.Ordinal)
                ? Reasoning("openai-o1-preview", maxTokens, null, CappedReasoningLimit)
                // The o-series knows low, medium and high; "minimal" is a 400.
                : Reasoning("openai-o-series", maxTokens, "low", CappedReasoningLimit);
        }

        return null;
    }

    private static ProbeRequestShape? GeminiFamily(string name, int maxTokens)
    {
        if (name.StartsWith("gemini-2.5-pro", StringComparison.Ordinal))
        {
            // "Budget 0 is invalid. This model only works in thinking mode." Thoughts count against maxOutputTokens, so
            // the limit cuts the smallest budget short.
            return new("gemini-2.5-pro", ProbeTokenLimitField.MaxOutputTokens, Room(maxTokens, CappedReasoningLimit)) { ThinkingBudget = GeminiProMinimumBudget };
        }

        if (name.StartsWith("gemini-2.5-flash", StringComparison.Ordinal))
        {
            // Flash and Flash-Lite can turn thinking off entirely; then maxOutputTokens bounds the answer alone.
            return new("gemini-2.5-flash", ProbeTokenLimitField.MaxOutputTokens, maxTokens) { ThinkingBudget = 0 };
        }

        if (name.StartsWith("gemini-3", StringComparison.Ordinal))
        {
            // Gemini 3 takes a level instead of a budget and cannot turn thinking off; a budget there is deprecated.
            return new("gemini-3", ProbeTokenLimitField.MaxOutputTokens, Room(maxTokens, CappedReasoningLimit)) { ThinkingLevel = "low" };
        }

        // Gemini 2.0 and older do not think and reject a thinkingConfig.
        return null;
    }

    private static ProbeRequestShape Reasoning(string family, int maxTokens, string? effort, int room) =>
        new(family, ProbeTokenLimitField.MaxCompletionTokens, Room(maxTokens, room)) { ReasoningEffort = effort };

    /// <summary>The configured limit, raised to the family's room; a larger configured limit is kept.</summary>
    private static int Room(int configured, int room) => Math.Max(configured, room);

    /// <summary>o1, o3, o4-mini, o3-pro-2025-06-10, …: the letter o followed by a digit.</summary>
    private static bool IsOSeries(string name) => name.Length >= 2 && name[0] == 'o' && char.IsAsciiDigit(name[1]);

    /// <summary>
    /// The model's own name: without Gemini's <c>models/</c> or a router's <c>openai/</c> prefix, lower case (the
    /// APIs name their models in lower case; a catalog may not).
    /// </summary>
    private static string BareName(string model)
    {
        var slash = model.LastIndexOf('/');
        return (slash >= 0 ? model[(slash + 1)..] : model).Trim().ToLowerInvariant();
    }
}
