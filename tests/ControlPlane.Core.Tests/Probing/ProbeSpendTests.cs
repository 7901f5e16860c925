using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Probing;

public sealed class ProbeSpendTests
{
    [Fact]
    public void Cost_InputAtInputPrice_OutputAndReasoningAtOutputPrice()
    {
        var price = new TokenPrice(InputPerMillion: 2m, OutputPerMillion: 8m);

        var cost = ProbeSpend.Cost(new ProbeUsage(InputTokens: 12, OutputTokens: 1, ReasoningTokens: 64), price);

        // 12 × 2/1e6 + (1 + 64) × 8/1e6
        Assert.Equal(0.000544m, cost);
    }

    [Fact]
    public void Cost_OfTotals_EqualsTheSumOfTheProbesCosts()
    {
        var price = new TokenPrice(3m, 15m);
        ProbeUsage[] probes = [new(10, 1), new(11, 2, 5), new(9, 1, 0)];

        var totals = probes.Aggregate(TokenTotals.Zero, (sum, usage) => sum.Add(TokenTotals.Of(usage)));

        Assert.Equal(new TokenTotals(30, 4, 5), totals);
        Assert.Equal(probes.Sum(p => ProbeSpend.Cost(p, price)), ProbeSpend.Cost(totals, price));
    }

    [Fact]
    public void Cost_FreeModel_IsZero()
    {
        Assert.Equal(0m, ProbeSpend.Cost(new ProbeUsage(1000, 1000, 1000), new TokenPrice(0m, 0m)));
    }

    [Fact]
    public void Cost_MonthOfTokens_DoesNotOverflow()
    {
        var tokens = new TokenTotals(long.MaxValue / 4, long.MaxValue / 4, long.MaxValue / 4);

        Assert.True(ProbeSpend.Cost(tokens, new TokenPrice(0.1m, 0.4m)) > 0m);
    }
}
