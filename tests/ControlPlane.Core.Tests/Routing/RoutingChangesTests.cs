using ControlPlane.Core.Routing;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;

namespace ControlPlane.Core.Tests.Routing;

public sealed class RoutingChangesTests
{
    [Fact]
    public void FirstTable_ListsEveryRouteAsAdded()
    {
        var changes = RoutingChanges.Between(null, Build());

        Assert.Equal(["chat-default", "strict"], changes.Select(c => c.RouteId));
        Assert.All(changes, c => Assert.Equal("route added", c.Reason));
    }

    [Fact]
    public void SameInputs_ProduceNoChanges() =>
        Assert.Empty(RoutingChanges.Between(Build(), Build()));

    [Fact]
    public void BreakerOpening_ListsEveryRouteItMovesWithTheReason()
    {
        var changes = RoutingChanges.Between(Build(), Build(new() { [Gpt] = Open() }));

        Assert.Equal(["chat-default", "strict"], changes.Select(c => c.RouteId));
        var strict = changes[1];
        Assert.Equal([Gpt], strict.Before.Select(a => a.Target));
        Assert.Equal([Haiku], strict.After.Select(a => a.Target));
        Assert.Contains("openai/gpt-4o: closed → open", strict.Reason, StringComparison.Ordinal);
        Assert.Contains("tier 1 now active", strict.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void StandbyTierChange_MovesNoTrafficAndIsNotAChange() =>
        Assert.Empty(RoutingChanges.Between(Build(), Build(new() { [Flash] = Open() })));

    [Fact]
    public void Panic_IsExplained()
    {
        var change = RoutingChanges.Between(Build(), Build(new() { [Gpt] = Open(), [Haiku] = Open() }))
            .Single(c => c.RouteId == "strict");

        Assert.Empty(change.After);
        Assert.Contains("panic: no eligible target", change.Reason, StringComparison.Ordinal);
    }
}
