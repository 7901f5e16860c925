using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing.Usage;

namespace ControlPlane.Service.Tests.Probing.Usage;

public sealed class ProbeSpendMetricsTests
{
    private static ProbeSample Sample(string provider, ProbeUsage? usage) => new(
        TargetId.For(provider, "m"), provider, "m", ProbeOutcome.Success, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(200), Usage: usage);

    [Fact]
    public void Record_PricedTarget_CountsTokensByKindAndCostAtItsPrice()
    {
        var provider = $"spend-{Guid.NewGuid():N}";
        var price = new TokenPrice(InputPerMillion: 2.5m, OutputPerMillion: 10m);

        ProbeSpendMetrics.Record(Sample(provider, new ProbeUsage(12, 1, 64)), price);
        ProbeSpendMetrics.Record(Sample(provider, new ProbeUsage(10, 2)), price);

        Assert.Equal(22, ProbeSpendMetrics.Tokens.WithLabels(provider, "input").Value);
        Assert.Equal(3, ProbeSpendMetrics.Tokens.WithLabels(provider, "output").Value);
        Assert.Equal(64, ProbeSpendMetrics.Tokens.WithLabels(provider, "reasoning").Value);
        Assert.Equal((22 * 2.5 + 67 * 10) / 1e6, ProbeSpendMetrics.Cost.WithLabels(provider).Value, 12);
    }

    [Fact]
    public void Record_UnpricedTarget_CountsTokensButAddsNoCost()
    {
        var provider = $"spend-{Guid.NewGuid():N}";

        ProbeSpendMetrics.Record(Sample(provider, new ProbeUsage(12, 1)), price: null);

        Assert.Equal(12, ProbeSpendMetrics.Tokens.WithLabels(provider, "input").Value);
        Assert.DoesNotContain(ProbeSpendMetrics.Cost.GetAllLabelValues(), labels => labels[0] == provider);
    }

    [Fact]
    public void Record_SampleWithoutUsage_CountsNothing()
    {
        var provider = $"spend-{Guid.NewGuid():N}";

        ProbeSpendMetrics.Record(Sample(provider, usage: null), new TokenPrice(1m, 1m));

        Assert.DoesNotContain(ProbeSpendMetrics.Tokens.GetAllLabelValues(), labels => labels[0] == provider);
        Assert.DoesNotContain(ProbeSpendMetrics.Cost.GetAllLabelValues(), labels => labels[0] == provider);
    }
}
