using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;

namespace ControlPlane.Service.Api;

/// <summary>A target's probe spend over the last 24 hours and 30 days, costed at the catalog's current price.</summary>
public sealed record SpendView(SpendWindowView Last24Hours, SpendWindowView Last30Days)
{
    /// <summary>The target's spend; zero tokens when it spent nothing, null only when the spend could not be read.</summary>
    public static SpendView? For(TargetDefinition target, IReadOnlyDictionary<TargetId, TargetTokenSpend>? spend)
    {
        if (spend is null)
        {
            return null;
        }

        var tokens = spend.GetValueOrDefault(target.Id) ?? new TargetTokenSpend(TokenTotals.Zero, TokenTotals.Zero);
        return new SpendView(SpendWindowView.Of(tokens.Last24Hours, target.Price), SpendWindowView.Of(tokens.Last30Days, target.Price));
    }
}

/// <param name="Usd">Cost at the target's price today (not the price when the tokens were spent); null when it has no price.</param>
public sealed record SpendWindowView(long InputTokens, long OutputTokens, long ReasoningTokens, decimal? Usd)
{
    public static SpendWindowView Of(TokenTotals tokens, TokenPrice? price) => new(
        tokens.InputTokens,
        tokens.OutputTokens,
        tokens.ReasoningTokens,
        price is null ? null : ProbeSpend.Cost(tokens, price));
}

/// <summary>One probe's tokens: input, output (the visible answer) and reasoning (hidden thinking billed as output).</summary>
public sealed record UsageView(int InputTokens, int OutputTokens, int ReasoningTokens);
