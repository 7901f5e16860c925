using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Probing;

/// <summary>Tokens summed over many probes (a day, a month): the same disjoint counts as <see cref="ProbeUsage"/>.</summary>
public sealed record TokenTotals(long InputTokens, long OutputTokens, long ReasoningTokens)
{
    public static TokenTotals Zero { get; } = new(0, 0, 0);

    public static TokenTotals Of(ProbeUsage usage) => new(usage.InputTokens, usage.OutputTokens, usage.ReasoningTokens);

    public TokenTotals Add(TokenTotals other) =>
        new(InputTokens + other.InputTokens, OutputTokens + other.OutputTokens, ReasoningTokens + other.ReasoningTokens);
}

/// <summary>What probes cost at a target's list price. Reasoning tokens are billed at the output price, as every API does.</summary>
public static class ProbeSpend
{
    private const decimal Million = 1_000_000m;

    public static decimal Cost(ProbeUsage usage, TokenPrice price) => Cost(TokenTotals.Of(usage), price);

    public static decimal Cost(TokenTotals tokens, TokenPrice price) =>
        (tokens.InputTokens * price.InputPerMillion / Million)
        + ((tokens.OutputTokens + tokens.ReasoningTokens) * price.OutputPerMillion / Million);
}
