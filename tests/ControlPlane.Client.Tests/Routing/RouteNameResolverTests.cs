using ControlPlane.Client.Tests.Support;
using ControlPlane.Contracts;

namespace ControlPlane.Client.Tests.Routing;

public sealed class RouteNameResolverTests
{
    private static RouteEntry Route(string id, params string[] aliases) =>
        TestTables.Route(id, 0, TestTables.Tier(TestTables.Target($"p/{id}", 100))) with { Aliases = aliases };

    private static readonly RouteNameResolver Resolver = new(
    [
        Route("chat-default", "claude-*", "gpt-4o"),
        Route("chat-haiku", "claude-3-5-haiku-*"),
        Route("b-route", "x-*"),
        Route("a-route", "*-y"),
    ]);

    [Theory]
    [InlineData("chat-default", "chat-default")]
    [InlineData("GPT-4O", "chat-default")]
    [InlineData("claude-opus-4-1-20250805", "chat-default")]
    [InlineData("Claude-3-5-Haiku-20241022", "chat-haiku")]
    [InlineData("x-y", "a-route")]
    public void Resolve_FollowsTheRule(string name, string route) => Assert.Equal(route, Resolver.Resolve(name)!.Route);

    [Fact]
    public void Resolve_UnknownName_IsNull() => Assert.Null(Resolver.Resolve("mistral-large"));

    [Fact]
    public void Selector_AcceptsAnAlias_ReturnsTheRouteIdAndOverlay_AndUnknownThrows()
    {
        using var tables = new TestTables();
        var overlay = new TargetOverlay { Remove = [OverlayRemovals.TopK] };
        var route = TestTables.Route("chat-default", 0, TestTables.Tier(TestTables.Target("openai/gpt-4.1", 100) with { Overlay = overlay })) with { Aliases = ["gpt-4o*"] };
        var store = new RoutingTableStore(tables.Verifier(), new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        store.Offer(tables.Json(1, TestTables.Table(route)), TableSource.Snapshot);
        var selector = new RouteSelector(store, new Random(1));

        var pick = selector.Select("gpt-4o-mini");

        Assert.Equal("chat-default", pick.Route);
        Assert.Equal([OverlayRemovals.TopK], pick.Overlay!.Remove);
        Assert.Throws<UnknownRouteException>(() => selector.SelectOrder("claude-x"));
    }
}
