using ControlPlane.Core.Alerts;
using ControlPlane.Core.Catalog;
using Xunit;

namespace ControlPlane.Core.Tests.Alerts;

public sealed class SinkFilterTests
{
    private static readonly TargetDefinition Gpt = new(TargetId.For("openai", "gpt"), "openai", "gpt", TestData.Probe());

    [Fact]
    public void MinimumSeverity_LetsEverythingAtOrAboveThrough()
    {
        var filter = new SinkFilter(AlertSeverity.Error);

        Assert.True(filter.Matches(AlertCondition.Incident("openai", "s")));
        Assert.True(filter.Matches(AlertCondition.TargetOpen(Gpt, "s")));
        Assert.False(filter.Matches(AlertCondition.ForTarget(Gpt, AlertKind.QuotaExhausted, "s")));
    }

    [Fact]
    public void ProviderAndRouteFilters_MatchAlertsAboutOneOfThem()
    {
        var filter = new SinkFilter(AlertSeverity.Info, Providers: new HashSet<string> { "openai" }, Routes: new HashSet<string> { "chat" });

        Assert.True(filter.Matches(AlertCondition.TargetOpen(Gpt, "s")));
        Assert.True(filter.Matches(AlertCondition.Panic("chat", "s")));
        Assert.False(filter.Matches(AlertCondition.Panic("embeddings", "s")));
        Assert.False(filter.Matches(AlertCondition.Incident("anthropic", "s")));
        Assert.False(filter.Matches(AlertCondition.StaleSubscriber("gw-1", "s")));
    }

    [Fact]
    public void KindFilter_RestrictsToTheNamedKinds()
    {
        var filter = new SinkFilter(AlertSeverity.Info, Kinds: new HashSet<AlertKind> { AlertKind.RoutePanic });

        Assert.True(filter.Matches(AlertCondition.Panic("chat", "s")));
        Assert.False(filter.Matches(AlertCondition.Incident("openai", "s")));
    }
}
