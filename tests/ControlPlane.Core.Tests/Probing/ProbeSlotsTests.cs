using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Probing;

public sealed class ProbeSlotsTests
{
    private static readonly TargetId[] Targets = Enumerable.Range(0, 10_000).Select(i => new TargetId($"provider-{i % 7}/model-{i}")).ToArray();

    [Fact]
    public void OwnerOf_SplitsTargetsEvenlyAcrossReplicas()
    {
        string[] members = ["replica-a", "replica-b", "replica-c"];

        var shares = Targets.GroupBy(t => ProbeSlots.OwnerOf(t, members)).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(members.Order(), shares.Keys.Order());
        Assert.All(shares.Values, count => Assert.InRange(count, 3_000, 3_667)); // a third each, within 10 %
    }

    [Fact]
    public void OwnerOf_DoesNotDependOnTheOrderReplicasAreListedIn()
    {
        string[] members = ["replica-a", "replica-b", "replica-c"];
        string[] shuffled = ["replica-c", "replica-a", "replica-b"];

        Assert.All(Targets.Take(1000), t => Assert.Equal(ProbeSlots.OwnerOf(t, members), ProbeSlots.OwnerOf(t, shuffled)));
    }

    [Fact]
    public void OwnerOf_WhenAReplicaLeaves_OnlyItsTargetsMove()
    {
        string[] before = ["replica-a", "replica-b", "replica-c"];
        string[] after = ["replica-a", "replica-c"];

        var moved = Targets.Where(t => ProbeSlots.OwnerOf(t, before) != ProbeSlots.OwnerOf(t, after)).ToList();

        Assert.NotEmpty(moved);
        Assert.All(moved, t => Assert.Equal("replica-b", ProbeSlots.OwnerOf(t, before)));
        Assert.Equal(Targets.Count(t => ProbeSlots.OwnerOf(t, before) == "replica-b"), moved.Count);
    }

    [Fact]
    public void OwnerOf_WhenAReplicaJoins_ItTakesItsShareFromEveryone_AndNothingElseMoves()
    {
        string[] before = ["replica-a", "replica-b"];
        string[] after = ["replica-a", "replica-b", "replica-new"];

        var moved = Targets.Where(t => ProbeSlots.OwnerOf(t, before) != ProbeSlots.OwnerOf(t, after)).ToList();

        Assert.All(moved, t => Assert.Equal("replica-new", ProbeSlots.OwnerOf(t, after)));
        Assert.InRange(moved.Count, 3_000, 3_667);
    }

    [Fact]
    public void OwnerOf_OneReplica_OwnsEverything_AndNoReplicaIsAnError()
    {
        Assert.All(Targets.Take(100), t => Assert.Equal("solo", ProbeSlots.OwnerOf(t, ["solo"])));
        Assert.Throws<ArgumentException>(() => ProbeSlots.OwnerOf(Targets[0], []));
    }

    [Fact]
    public void NextSlot_IsOnTheTargetsGrid_AndNeverBeforeNow()
    {
        var interval = TimeSpan.FromSeconds(10);
        var target = Targets[42];
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 3, TimeSpan.Zero).AddTicks(1234);

        var slot = ProbeSlots.NextSlot(target, interval, now);

        Assert.InRange(slot, now, now + interval);
        Assert.Equal(ProbeSlots.PhaseOf(target, interval).Ticks, (slot - DateTimeOffset.UnixEpoch).Ticks % interval.Ticks);
    }

    [Fact]
    public void NextSlot_IsTheSameFromAnyInstantBeforeIt_SoAReplicaTakingTheTargetOverKeepsItsRhythm()
    {
        var interval = TimeSpan.FromSeconds(10);
        var target = Targets[7];
        var slot = ProbeSlots.NextSlot(target, interval, new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

        // Not "now + jitter": whoever asks, whenever within the interval before the slot, gets the same slot.
        foreach (var before in new[] { TimeSpan.Zero, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(3), interval - TimeSpan.FromTicks(1) })
        {
            Assert.Equal(slot, ProbeSlots.NextSlot(target, interval, slot - before));
        }

        Assert.Equal(slot + interval, ProbeSlots.NextSlot(target, interval, slot + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void PhaseOf_SpreadsTargetsOverTheInterval()
    {
        var interval = TimeSpan.FromSeconds(10);

        var perSecond = Targets.GroupBy(t => (int)ProbeSlots.PhaseOf(t, interval).TotalSeconds).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(10, perSecond.Count);
        Assert.All(perSecond.Values, count => Assert.InRange(count, 850, 1_150)); // 1,000 a second, within 15 %
    }

    [Fact]
    public void NextSlot_RejectsANonPositiveInterval() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ProbeSlots.NextSlot(Targets[0], TimeSpan.Zero, DateTimeOffset.UnixEpoch));
}
