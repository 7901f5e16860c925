using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Probing;

public sealed class ProbeBudgetTests
{
    private static ProbeDemand Demand(string id, double seconds, bool urgent = false) =>
        new(new TargetId(id), TimeSpan.FromSeconds(seconds), urgent);

    private static double Sum(ProbeAllocation allocation) => allocation.Intervals.Values.Sum(ProbeBudget.RateOf);

    [Fact]
    public void Allocate_DemandWithinBudget_KeepsEveryInterval()
    {
        var allocation = ProbeBudget.Allocate(60, [Demand("a", 10), Demand("b", 2)]);

        Assert.False(allocation.Binding);
        Assert.Equal(TimeSpan.FromSeconds(10), allocation.Intervals[new("a")]);
        Assert.Equal(TimeSpan.FromSeconds(2), allocation.Intervals[new("b")]);
        Assert.Equal(36, allocation.DemandPerMinute, 6);
    }

    [Fact]
    public void Allocate_OverBudget_StretchesEqualTargetsToOneCommonInterval()
    {
        // Ten targets at 1 s ask for 600 probes a minute; 60 allowed: each gets 6 per minute, one every 10 s.
        var demands = Enumerable.Range(0, 10).Select(i => Demand($"t{i}", 1)).ToList();

        var allocation = ProbeBudget.Allocate(60, demands);

        Assert.True(allocation.Binding);
        Assert.All(allocation.Intervals.Values, i => Assert.Equal(TimeSpan.FromSeconds(10), i));
        Assert.True(Sum(allocation) <= 60 + 1e-9);
        Assert.Equal(600, allocation.DemandPerMinute, 6);
    }

    [Fact]
    public void Allocate_OverBudget_SlowTargetsKeepTheirIntervalAndOnlyTheFastestAreStretched()
    {
        // 12 per minute: the 60 s target keeps its 1 per minute; the two 1 s targets share the other 11.
        var allocation = ProbeBudget.Allocate(12, [Demand("slow", 60), Demand("fast1", 1), Demand("fast2", 1)]);

        Assert.Equal(TimeSpan.FromSeconds(60), allocation.Intervals[new("slow")]);
        Assert.Equal(allocation.Intervals[new("fast1")], allocation.Intervals[new("fast2")]);
        Assert.InRange(allocation.Intervals[new("fast1")].TotalSeconds, 10.9, 11);
        Assert.True(Sum(allocation) <= 12 + 1e-9);
    }

    [Fact]
    public void Allocate_OverBudget_ServesUrgentTargetsFirst()
    {
        // The suspect target asks for a probe every 2.5 s (24 per minute) and gets it; the nine healthy ones share the
        // remaining 18 per minute: one probe every 30 s each.
        var demands = Enumerable.Range(0, 9).Select(i => Demand($"ok{i}", 10)).Append(Demand("suspect", 2.5, urgent: true)).ToList();

        var allocation = ProbeBudget.Allocate(42, demands);

        Assert.Equal(TimeSpan.FromSeconds(2.5), allocation.Intervals[new("suspect")]);
        Assert.All(Enumerable.Range(0, 9), i => Assert.Equal(TimeSpan.FromSeconds(30), allocation.Intervals[new($"ok{i}")]));
        Assert.True(Sum(allocation) <= 42 + 1e-9);
    }

    [Fact]
    public void Allocate_UrgentTargetsAloneOverTheirShare_LeaveAQuarterForTheRest()
    {
        // Four open targets at 1 s would take all 40 per minute; they get three quarters (30), the healthy one keeps 10.
        var demands = Enumerable.Range(0, 4).Select(i => Demand($"open{i}", 1, urgent: true)).Append(Demand("ok", 6)).ToList();

        var allocation = ProbeBudget.Allocate(40, demands);

        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(TimeSpan.FromSeconds(8), allocation.Intervals[new($"open{i}")]));
        Assert.Equal(TimeSpan.FromSeconds(6), allocation.Intervals[new("ok")]);
        Assert.True(Sum(allocation) <= 40 + 1e-9);
    }

    [Fact]
    public void Allocate_OnlyUrgentTargets_TheyShareTheWholeBudget()
    {
        var allocation = ProbeBudget.Allocate(20, [Demand("a", 1, urgent: true), Demand("b", 1, urgent: true)]);

        Assert.All(allocation.Intervals.Values, i => Assert.Equal(TimeSpan.FromSeconds(6), i));
    }

    [Fact]
    public void Allocate_AwkwardBudget_RoundsIntervalsUpSoTheSumNeverExceedsIt()
    {
        var demands = Enumerable.Range(0, 7).Select(i => Demand($"t{i}", 1)).ToList();

        var allocation = ProbeBudget.Allocate(13, demands);

        Assert.True(Sum(allocation) <= 13);
        Assert.True(allocation.AllocatedPerMinute <= 13);
    }

    [Fact]
    public void Allocate_RejectsANonPositiveBudget() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeBudget.Allocate(0, [Demand("a", 1)]));
}
