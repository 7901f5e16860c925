using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing;

namespace ControlPlane.Service.Tests.Probing;

public sealed class ProbeMetricsTests
{
    [Fact]
    public void Record_CountsByOutcomeAndObservesDurationAndTtft()
    {
        var provider = $"metrics-{Guid.NewGuid():N}";
        var sample = new ProbeSample(
            TargetId.For(provider, "m"), provider, "m", ProbeOutcome.Overloaded, DateTimeOffset.UnixEpoch,
            TimeSpan.FromMilliseconds(250), TimeToFirstToken: TimeSpan.FromMilliseconds(100));

        ProbeMetrics.Record(sample);
        ProbeMetrics.Record(sample);

        Assert.Equal(2, ProbeMetrics.Total.WithLabels(provider, "m", "overloaded").Value);
        Assert.Equal(2, ProbeMetrics.Duration.WithLabels(provider, "m", "overloaded").Count);
        Assert.Equal(0.5, ProbeMetrics.Duration.WithLabels(provider, "m", "overloaded").Sum, 6);
        Assert.Equal(2, ProbeMetrics.TimeToFirstToken.WithLabels(provider, "m").Count);
    }
}
