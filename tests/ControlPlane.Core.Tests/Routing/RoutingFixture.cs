using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Overrides;
using ControlPlane.Core.Routing;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Routing;

internal static class RoutingFixture
{
    public static readonly TargetId Sonnet = new("anthropic/sonnet");
    public static readonly TargetId Haiku = new("anthropic/haiku");
    public static readonly TargetId Gpt = new("openai/gpt-4o");
    public static readonly TargetId Flash = new("gemini/flash");

    /// <summary>chat-default: tier 0 = sonnet ×3, gpt ×1; tier 1 = flash; fail-open. strict: gpt then haiku, fail-closed.</summary>
    public static ProviderCatalog Catalog { get; } = Catalogs.Build(
    [
        ("chat-default", [[(Sonnet.Value, 3), (Gpt.Value, 1)], [(Flash.Value, 1)]], PanicPolicy.FailOpen),
        ("strict", [[(Gpt.Value, 1)], [(Haiku.Value, 1)]], PanicPolicy.FailClosed),
    ]);

    public static BreakerSnapshot Open(int secondsLeft = 30, double failureRatio = 1) =>
        new(CircuitState.Open, 0, T0.AddSeconds(secondsLeft), failureRatio);

    public static BreakerSnapshot HalfOpen { get; } = new(CircuitState.HalfOpen, 0);

    public static ComputedRoutingTable Build(
        Dictionary<TargetId, BreakerSnapshot>? breakers = null, IReadOnlyList<Override>? overrides = null, DateTimeOffset? now = null) =>
        RoutingTableBuilder.Build(Catalog, breakers ?? [], overrides ?? [], now ?? T0);

    public static ComputedRoute Get(this ComputedRoutingTable table, string id = "chat-default") => table.Route(id)!;

    public static IReadOnlyList<(string, int)> Traffic(this ComputedRoute route) =>
        route.Active.Select(a => (a.Target.Value, a.Weight)).ToList();
}
