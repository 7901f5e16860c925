using ControlPlane.Core.Probing;

namespace ControlPlane.Benchmarks.ProbeEconomy;

/// <summary>How a probe request is shaped, which decides what a reasoning model spends on it.</summary>
internal enum ProbeShape
{
    /// <summary>
    /// As a naive health check sends it: a tiny output limit and the model's default reasoning (OpenAI effort medium,
    /// Gemini 2.5 dynamic thinking). Modelled as accepted; in reality a one-token limit can also be rejected or spent
    /// entirely on thinking (LiteLLM #26987), which only makes the naive check worse.
    /// </summary>
    Naive,

    /// <summary>With our probe profiles (Core ProbeProfiles): the lowest reasoning setting the family accepts.</summary>
    Profiled,
}

/// <summary>
/// One model family of the simulated catalog: how many targets it has, what one successful inference probe spends in
/// each shape, and its list price. A <c>models</c> probe (list models) is free, and a failed probe is counted as free
/// too (an error answer bills nothing; whether a provider bills a request we timed out on is unknowable here).
/// </summary>
/// <param name="Share">Fraction of the fleet's targets (the shares add up to 1).</param>
/// <param name="InputTokens">The prompt "ping" in the API's message wrapper, as the provider counts it.</param>
/// <param name="OutputTokens">The visible answer.</param>
/// <param name="NaiveReasoningTokens">Hidden reasoning at the model's default setting.</param>
/// <param name="ProfiledReasoningTokens">Hidden reasoning with our profile's setting.</param>
/// <param name="InputPerMillion">List price, USD per million input tokens.</param>
/// <param name="OutputPerMillion">List price, USD per million output tokens (reasoning is billed as output).</param>
internal sealed record ModelFamily(
    string Model,
    string Provider,
    double Share,
    int InputTokens,
    int OutputTokens,
    int NaiveReasoningTokens,
    int ProfiledReasoningTokens,
    string NaiveSetting,
    string ProfiledSetting,
    decimal InputPerMillion,
    decimal OutputPerMillion,
    int? ProfiledLimit = null)
{
    public bool Reasoning => NaiveReasoningTokens > 0;

    /// <summary>
    /// A profile whose limit sits below the reasoning the model cannot switch off (Core ProbeProfiles
    /// CappedReasoningLimit): the model spends the limit thinking and the answer is cut short there, empty.
    /// </summary>
    public ProbeUsage UsageFor(ProbeShape shape) => shape switch
    {
        ProbeShape.Naive => new(InputTokens, OutputTokens, NaiveReasoningTokens),
        _ when ProfiledLimit is { } limit && ProfiledReasoningTokens >= limit => new(InputTokens, 0, limit),
        _ => new(InputTokens, OutputTokens, ProfiledReasoningTokens),
    };

    public decimal CostOf(ProbeUsage usage) =>
        ((usage.InputTokens * InputPerMillion) + (usage.BilledOutputTokens * OutputPerMillion)) / 1_000_000m;
}

internal static class ModelFamilies
{
    /// <summary>
    /// A catalog mix like a real one: 40 % reasoning models, the rest non-reasoning, one local model. Reasoning
    /// spend per probe uses the numbers the probe profiles and the simulator use (OpenAI reasoning effort minimal 0 /
    /// low 64 / medium 256, the default / high 1024 tokens; Gemini 2.5 dynamic thinking 320, a budget of 128 on
    /// 2.5 Pro, which cannot turn thinking off, and 0 on Flash). o4-mini has no "minimal" effort, so its profile is
    /// "low"; it and 2.5 Pro are probed with a limit below their reasoning, cut short there. Anthropic models think only when asked, so both shapes spend nothing on thinking.
    /// Prices are list prices as of 2026, USD per million tokens, standard tier, and only illustrative: discounts,
    /// batch and cached-input prices, and regional deployments all differ.
    /// </summary>
    public static IReadOnlyList<ModelFamily> All { get; } =
    [
        new("gpt-5-mini", "openai", 0.10, 10, 2, 256, 0, "effort medium (default)", "effort minimal", 0.25m, 2.00m),
        new("o4-mini", "openai", 0.10, 10, 2, 256, 64, "effort medium (default)", "effort low, cut short at 16", 1.10m, 4.40m, ProbeProfiles.CappedReasoningLimit),
        new("gemini-2.5-pro", "gemini", 0.10, 10, 2, 320, 128, "dynamic thinking", "thinkingBudget 128, cut short at 16", 1.25m, 10.00m, ProbeProfiles.CappedReasoningLimit),
        new("gemini-2.5-flash", "gemini", 0.10, 10, 2, 320, 0, "dynamic thinking", "thinkingBudget 0", 0.30m, 2.50m),
        new("claude-sonnet-4-5", "anthropic", 0.15, 12, 1, 0, 0, "no thinking", "no thinking", 3.00m, 15.00m),
        new("claude-haiku-4-5", "anthropic", 0.15, 12, 1, 0, 0, "no thinking", "no thinking", 1.00m, 5.00m),
        new("gpt-4.1-mini", "openai", 0.12, 10, 1, 0, 0, "—", "—", 0.40m, 1.60m),
        new("gemini-2.0-flash", "gemini", 0.10, 10, 1, 0, 0, "—", "—", 0.10m, 0.40m),
        new("llama-3.1-8b (local)", "local", 0.08, 12, 1, 0, 0, "—", "—", 0m, 0m),
    ];
}
