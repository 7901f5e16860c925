namespace ControlPlane.Gateway.Translation;

/// <summary>
/// The one conversion between reasoning effort levels (OpenAI, Responses) and thinking token budgets (Anthropic,
/// Gemini), so every codec pair maps the same way.
/// </summary>
internal static class ReasoningBudgets
{
    /// <summary>Anthropic's smallest accepted <c>thinking.budget_tokens</c>.</summary>
    public const int MinimumBudget = 1024;

    public static int BudgetFor(string effort) => effort switch
    {
        "minimal" or "low" => 1024,
        "medium" => 4096,
        _ => 16384, // high, xhigh
    };

    public static string EffortFor(int budget) => budget switch
    {
        <= 2048 => "low",
        <= 8192 => "medium",
        _ => "high",
    };

    /// <summary>The budget a request asks for, from whichever form it was given; null when it asks for none.</summary>
    public static int? BudgetOf(Reasoning? reasoning) =>
        reasoning?.BudgetTokens ?? (reasoning?.Effort is { } effort && effort != "none" ? BudgetFor(effort) : null);

    /// <summary>The effort a request asks for, from whichever form it was given; null when it asks for none.</summary>
    public static string? EffortOf(Reasoning? reasoning) =>
        reasoning?.Effort ?? (reasoning?.BudgetTokens is { } budget ? EffortFor(budget) : null);
}
