using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Tests.Breakers;

public sealed class ProbeTimeoutTests
{
    [Fact]
    public void EffectiveTimeout_AtTheCatalogInterval_IsTheConfiguredTimeout() =>
        Assert.Equal(TimeSpan.FromSeconds(5), ProbeCadence.EffectiveTimeout(CatalogBuilder.DefaultProbe, TimeSpan.FromSeconds(10)));

    [Fact]
    public void EffectiveTimeout_WhileProbingFast_NeverExceedsTheFastInterval()
    {
        var suspect = BreakerState.Initial(DateTimeOffset.UnixEpoch) with { Suspect = true };
        var fast = ProbeCadence.IntervalFor(suspect, CatalogBuilder.DefaultProbe);

        Assert.True(fast < CatalogBuilder.DefaultProbe.Timeout);
        Assert.Equal(fast, ProbeCadence.EffectiveTimeout(CatalogBuilder.DefaultProbe, fast));
    }
}
