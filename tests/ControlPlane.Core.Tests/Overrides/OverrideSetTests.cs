using ControlPlane.Core.Overrides;
using static ControlPlane.Core.Tests.Routing.RoutingFixture;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Overrides;

public sealed class OverrideSetTests
{
    private static DrainTarget Drain(DateTimeOffset created, DateTimeOffset expires) =>
        new("d-1", "alice", "vendor ticket 123", created, expires, Gpt);

    [Fact]
    public void ActiveAt_IncludesFromCreationAndExcludesExactlyAtExpiry()
    {
        var drain = Drain(T0, T0.AddMinutes(10));
        var set = new OverrideSet([drain]);

        Assert.Empty(set.ActiveAt(T0.AddTicks(-1)));
        Assert.Single(set.ActiveAt(T0));
        Assert.Single(set.ActiveAt(T0.AddMinutes(10).AddTicks(-1)));
        Assert.Empty(set.ActiveAt(T0.AddMinutes(10)));
    }

    [Fact]
    public void MaintenanceWindow_IsActiveFromStartUntilEnd()
    {
        var window = MaintenanceWindow.ForProvider("m-1", "bob", "db upgrade", T0, T0.AddHours(1), T0.AddHours(2), "openai");
        var set = new OverrideSet([window]);

        Assert.Empty(set.ActiveAt(T0.AddMinutes(59)));
        Assert.Single(set.ActiveAt(T0.AddHours(1)));
        Assert.Empty(set.ActiveAt(T0.AddHours(2)));
    }

    [Fact]
    public void NextChangeAfter_IsTheEarliestStartOrEnd()
    {
        var set = new OverrideSet(
        [
            Drain(T0, T0.AddMinutes(30)),
            MaintenanceWindow.ForTarget("m-1", "bob", "reindex", T0, T0.AddMinutes(10), T0.AddMinutes(20), Sonnet),
        ]);

        Assert.Equal(T0.AddMinutes(10), set.NextChangeAfter(T0));
        Assert.Equal(T0.AddMinutes(20), set.NextChangeAfter(T0.AddMinutes(10)));
        Assert.Equal(T0.AddMinutes(30), set.NextChangeAfter(T0.AddMinutes(20)));
        Assert.Null(set.NextChangeAfter(T0.AddMinutes(30)));
    }

    [Fact]
    public void Pin_MostRecentlyCreatedWins()
    {
        var older = new PinRoute("p-1", "alice", "a", T0, T0.AddHours(1), "chat-default", Gpt);
        var newer = new PinRoute("p-2", "bob", "b", T0.AddMinutes(1), T0.AddHours(1), "chat-default", Sonnet);

        Assert.Same(newer, OverrideResolver.PinFor("chat-default", [older, newer]));
        Assert.Null(OverrideResolver.PinFor("strict", [older, newer]));
    }
}
