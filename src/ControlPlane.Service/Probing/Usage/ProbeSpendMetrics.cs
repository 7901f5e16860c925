using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using Prometheus;

namespace ControlPlane.Service.Probing.Usage;

/// <summary>What probes spend, per provider: tokens by kind, and USD for targets whose catalog entry has a price.</summary>
internal static class ProbeSpendMetrics
{
    public static readonly Counter Tokens = Metrics.CreateCounter(
        "controlplane_probe_tokens_total",
        "Tokens spent by probes, as the providers' answers reported them; kind is input, output (the visible answer) or reasoning (hidden thinking billed as output).",
        new CounterConfiguration { LabelNames = ["provider", "kind"] });

    public static readonly Counter Cost = Metrics.CreateCounter(
        "controlplane_probe_cost_usd_total",
        "USD spent by probes at the catalog's list prices; targets without a price add nothing.",
        new CounterConfiguration { LabelNames = ["provider"] });

    public static void Record(ProbeSample sample, TokenPrice? price)
    {
        if (sample.Usage is not { } usage)
        {
            return;
        }

        Tokens.WithLabels(sample.ProviderId, "input").Inc(usage.InputTokens);
        Tokens.WithLabels(sample.ProviderId, "output").Inc(usage.OutputTokens);
        Tokens.WithLabels(sample.ProviderId, "reasoning").Inc(usage.ReasoningTokens);
        if (price is not null)
        {
            Cost.WithLabels(sample.ProviderId).Inc((double)ProbeSpend.Cost(usage, price));
        }
    }
}
