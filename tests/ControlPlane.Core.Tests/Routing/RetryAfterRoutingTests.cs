using ControlPlane.Core.Catalog;
using ControlPlane.Core.Overrides;
using ControlPlane.Core.Routing;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Routing;

/// <summary>Fleet-wide Retry-After: a paused target is not eligible until the pause ends, bounded and stable.</summary>
public sealed class RetryAfterRoutingTests
{
    [Fact]
    public void Build_PausedTarget_IsNotEligibleAndTrafficMovesToItsTierMate()
    {
        var table = Build([], T0, Paused(Sonnet, T0.AddSeconds(30)));

        var sonnet = table.Get().Tiers[0].Targets.Single(t => t.Target == Sonnet);
        Assert.False(sonnet.Eligible);
        Assert.Equal(RoutingTableBuilder.PausedStatus, sonnet.Status);
        Assert.Equal([(Gpt.Value, 100)], table.Get().Traffic());
    }

    [Fact]
    public void Build_PauseOver_TargetIsBackWithTheSameContentAsNeverPaused()
    {
        var after = Build([], T0.AddSeconds(31), Paused(Sonnet, T0.AddSeconds(30)));
        var never = Build([], T0.AddSeconds(31));

        Assert.True(after.ContentEquals(never));
    }

    [Fact]
    public void Build_PauseExtendedByLaterHints_IsTheSameDecision_OneVersion()
    {
        var first = Build([], T0, Paused(Sonnet, T0.AddSeconds(10)));
        var extended = Build([], T0.AddSeconds(5), Paused(Sonnet, T0.AddSeconds(60)));

        Assert.Equal(first.ContentHash, extended.ContentHash);
    }

    [Fact]
    public void Build_EveryTargetPaused_FailsOpenRatherThanRoutingNowhere()
    {
        var pauses = new Dictionary<TargetId, DateTimeOffset>
        {
            [Sonnet] = T0.AddSeconds(30), [Gpt] = T0.AddSeconds(30), [Flash] = T0.AddSeconds(30),
        };

        var route = Build([], T0, pauses).Get();

        Assert.True(route.Panic);
        Assert.Single(route.Active);
    }

    [Fact]
    public void Build_ForcedClosedByAnOperator_OutranksThePause()
    {
        var forced = new ForceClosed("o1", "sre", "known good", T0.AddMinutes(-1), T0.AddHours(1), Sonnet);

        var table = Build([forced], T0, Paused(Sonnet, T0.AddSeconds(30)));

        Assert.True(table.Get().Tiers[0].Targets.Single(t => t.Target == Sonnet).Eligible);
    }

    [Fact]
    public void Changes_PauseStart_SaysWhy()
    {
        var before = Build([], T0);
        var after = Build([], T0, Paused(Sonnet, T0.AddSeconds(30)));

        var change = Assert.Single(RoutingChanges.Between(before, after), c => c.RouteId == "chat-default");
        Assert.Contains($"{Sonnet}: closed → {RoutingTableBuilder.PausedStatus}", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Pauses_RecordKeepsTheLatestBoundedEnd_AndForgetsEndedOnes()
    {
        var pauses = new RetryAfterPauses();

        Assert.True(pauses.Record(Sonnet, T0.AddSeconds(10), T0));
        Assert.False(pauses.Record(Sonnet, T0.AddSeconds(5), T0));       // earlier: nothing new
        Assert.True(pauses.Record(Sonnet, T0.AddHours(2), T0));          // later, capped at 5 minutes
        Assert.False(pauses.Record(Gpt, T0.AddDays(3), T0));             // absurd: ignored
        Assert.False(pauses.Record(Gpt, T0.AddSeconds(-1), T0));         // already over

        Assert.Equal(T0.AddMinutes(5), pauses.ActiveAt(T0)[Sonnet]);
        Assert.False(pauses.ActiveAt(T0).ContainsKey(Gpt));
        Assert.Empty(pauses.ActiveAt(T0.AddMinutes(5)));
    }

    private static ComputedRoutingTable Build(IReadOnlyList<Override> overrides, DateTimeOffset now, IReadOnlyDictionary<TargetId, DateTimeOffset>? paused = null) =>
        RoutingTableBuilder.Build(RoutingFixture.Catalog, new Dictionary<TargetId, ControlPlane.Core.Breakers.BreakerSnapshot>(), overrides, now, paused);

    private static Dictionary<TargetId, DateTimeOffset> Paused(TargetId target, DateTimeOffset until) => new() { [target] = until };
}
