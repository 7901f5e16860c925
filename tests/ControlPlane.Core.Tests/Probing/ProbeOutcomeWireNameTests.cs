using ControlPlane.Contracts;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Probing;

public sealed class ProbeOutcomeWireNameTests
{
    [Fact]
    public void EveryOutcome_HasADistinctContractWireName_ThatParsesBack()
    {
        var names = ProbeOutcomes.All.Select(o => o.ToWireName()).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(Outcomes.All.Order(), names.Order());
        Assert.All(ProbeOutcomes.All, o => Assert.True(ProbeOutcomes.TryParseWireName(o.ToWireName(), out var parsed) && parsed == o));
        Assert.False(ProbeOutcomes.TryParseWireName("exploded", out _));
    }
}
