using ControlPlane.Contracts;
using ControlPlane.Core.Alerts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Routing;
using ControlPlane.Core.Tests.Catalog;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Degradation;

/// <summary>The catalog's degradation profile, and the per-class decision the control plane puts in the table.</summary>
public sealed class DegradationProfileTests
{
    private static readonly TargetId Sonnet = new("anthropic/claude-sonnet-4-5");
    private static readonly TargetId Gpt = new("openai/gpt-4.1");
    private static readonly TargetId Llama = new("llama");

    /// <summary>chat: tier 0 sonnet, tier 1 gpt, tier 2 the local llama that serves only standard and background.</summary>
    private static CatalogOptions Options(DegradationOptions? degradation, List<string>? localClasses = null) => new()
    {
        Providers = SampleCatalogOptions.Providers(),
        Targets = SampleCatalogOptions.Targets(),
        Routes =
        [
            new()
            {
                Id = "chat",
                Degradation = degradation,
                Tiers =
                [
                    new() { Targets = [new() { Target = "anthropic/claude-sonnet-4-5" }] },
                    new() { Targets = [new() { Target = "openai/gpt-4.1" }] },
                    new() { Targets = [new() { Target = "llama" }], Classes = localClasses },
                ],
            },
        ],
    };

    private static ProviderCatalog Catalog(DegradationOptions? degradation = null, List<string>? localClasses = null)
    {
        var result = CatalogBuilder.Build(Options(degradation ?? new DegradationOptions(), localClasses ?? ["standard", "background"]), new SampleCatalogOptions.AllKeysSet());
        Assert.True(result.Succeeded, string.Join("\n", result.Errors));
        return result.Catalog!;
    }

    private static ComputedRoute Route(ProviderCatalog catalog, Dictionary<TargetId, BreakerSnapshot>? breakers = null) =>
        RoutingTableBuilder.Build(catalog, breakers ?? [], [], T0).Route("chat")!;

    private static BreakerSnapshot Open(int secondsLeft) => new(CircuitState.Open, 0, T0.AddSeconds(secondsLeft), 1);

    private static Dictionary<string, (string Action, string Tiers)> Classes(ComputedRoute route) =>
        route.Degradation!.Classes.ToDictionary(c => c.Class, c => (c.Action, string.Join(',', c.Tiers)));

    [Fact]
    public void Normal_EveryClassIsServed_EachAmongTheTiersThatServeIt()
    {
        var route = Route(Catalog());

        Assert.Equal(DegradationStates.Normal, route.Degradation!.State);
        Assert.Equal(new Dictionary<string, (string, string)>
        {
            ["background"] = ("serve", "0,1,2"),
            ["critical"] = ("serve", "0,1"),
            ["needs-primary"] = ("serve", "0"),
            ["standard"] = ("serve", "0,1,2"),
        }, Classes(route));
        Assert.Null(route.Degradation.RetryAt);
        Assert.Equal("standard", route.Degradation.DefaultClass);
        Assert.Equal(30_000, route.Degradation.HoldTimeoutMs);
        Assert.Equal(503, route.Degradation.ShedStatus);
    }

    [Fact]
    public void PrimaryTierOut_BackgroundIsShed_NeedsPrimaryHeld_OthersServed_RetryAtIsTheBreakEnd()
    {
        var route = Route(Catalog(), new() { [Sonnet] = Open(secondsLeft: 12) });

        Assert.Equal(DegradationStates.Degraded, route.Degradation!.State);
        var classes = Classes(route);
        Assert.Equal("shed", classes["background"].Action);
        Assert.Equal("hold", classes["needs-primary"].Action);
        Assert.Equal("serve", classes["standard"].Action);
        Assert.Equal("serve", classes["critical"].Action);
        Assert.Equal(T0.AddSeconds(12), route.Degradation.RetryAt);
    }

    [Fact]
    public void OnlyTheLocalTierLeft_CriticalThatItDoesNotServe_GetsItsFallbackNotAnEmptyServe()
    {
        var route = Route(Catalog(), new() { [Sonnet] = Open(5), [Gpt] = Open(9) });

        var classes = Classes(route);
        Assert.Equal(2, route.ActiveTier);
        Assert.Equal("serve", classes["standard"].Action);
        Assert.Equal("shed", classes["critical"].Action); // its degraded action is serve, and nothing it may use is up
        Assert.Equal("hold", classes["needs-primary"].Action);
        Assert.Equal(T0.AddSeconds(5), route.Degradation!.RetryAt); // the primary tier's break, not the secondary's
    }

    [Fact]
    public void Panic_UsesEachClassesPanicAction_AndTheSoonestBreakOfAnyTier()
    {
        var catalog = Catalog(new DegradationOptions
        {
            Classes = [new() { Name = "standard", Panic = "hold" }, new() { Name = "batch", Degraded = "shed", Panic = "shed" }],
            HoldTimeout = TimeSpan.FromSeconds(5),
            ShedStatus = 429,
        }, ["standard", "background", "batch"]);

        var route = Route(catalog, new() { [Sonnet] = Open(20), [Gpt] = Open(8), [Llama] = Open(30) });

        Assert.True(route.Panic);
        Assert.Equal(DegradationStates.Panic, route.Degradation!.State);
        var classes = Classes(route);
        Assert.Equal("hold", classes["standard"].Action);
        Assert.Equal("shed", classes["batch"].Action);
        Assert.Equal("hold", classes["needs-primary"].Action);
        Assert.Equal(T0.AddSeconds(8), route.Degradation.RetryAt);
        Assert.Equal((5_000, 429), (route.Degradation.HoldTimeoutMs, route.Degradation.ShedStatus));
    }

    [Fact]
    public void RouteWithoutProfile_HasNoDegradation_AndItsCanonicalContentIsUnchanged()
    {
        var options = Options(degradation: null, localClasses: null);
        var catalog = CatalogBuilder.Build(options, new SampleCatalogOptions.AllKeysSet()).Catalog!;

        var table = RoutingTableBuilder.Build(catalog, new Dictionary<TargetId, BreakerSnapshot>(), [], T0);

        Assert.Null(table.Route("chat")!.Degradation);
        Assert.DoesNotContain("degradation|", table.CanonicalContent, StringComparison.Ordinal);
        Assert.DoesNotContain("class|", table.CanonicalContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ProfileChange_IsANewDecision_WithAReasonNamingTheClasses()
    {
        var catalog = Catalog();
        var before = RoutingTableBuilder.Build(catalog, new Dictionary<TargetId, BreakerSnapshot>(), [], T0);
        var after = RoutingTableBuilder.Build(catalog, new Dictionary<TargetId, BreakerSnapshot> { [Sonnet] = Open(10) }, [], T0);

        Assert.False(after.ContentEquals(before));
        var change = Assert.Single(RoutingChanges.Between(before, after));
        Assert.Contains("degradation degraded: background shed, needs-primary hold", change.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Shedding_RaisesOneRouteAlert_GroupedUnderItsPanic()
    {
        var catalog = Catalog();
        var table = RoutingTableBuilder.Build(catalog, new Dictionary<TargetId, BreakerSnapshot> { [Sonnet] = Open(10) }, [], T0);

        var inputs = new AlertInputs(catalog, new Dictionary<TargetId, CircuitState>(), new Dictionary<TargetId, IReadOnlyList<BreakerSignal>>(),
            new Dictionary<TargetId, DateTimeOffset>(), T0, table, [], T0);

        var shedding = Assert.Single(AlertConditions.From(inputs), c => c.Kind == AlertKind.RouteShedding);

        Assert.Equal("route:chat:shedding", shedding.Key);
        Assert.Equal("route:chat:panic", shedding.GroupKey);
        Assert.Contains("background shed", shedding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BadProfile_ListsEveryProblem()
    {
        var options = Options(new DegradationOptions
        {
            DefaultClass = "nobody",
            HoldTimeout = TimeSpan.Zero,
            ShedStatus = 500,
            Classes =
            [
                new() { Name = "Bad Name", Degraded = "serve", Panic = "serve" },
                new() { Name = "batch", Degraded = "queue" },
                new() { Name = "batch", Degraded = "shed", Panic = "shed" },
            ],
        }, ["standard", "ghost"]);
        options.Routes[0].Tiers[1].Classes = ["standard"];
        options.Routes[0].Tiers[0].Classes = ["standard"];

        var result = CatalogBuilder.Build(options, new SampleCatalogOptions.AllKeysSet());

        Assert.False(result.Succeeded);
        string[] expected =
        [
            "Degradation:Classes:0: Name 'Bad Name'",
            "Degradation:Classes:1:Degraded: unknown action 'queue'",
            "Degradation:Classes:1:Panic is required",
            "Degradation:Classes:2: class 'batch' is listed twice",
            "Degradation:DefaultClass: unknown class 'nobody'",
            "Degradation:HoldTimeout must be greater than zero",
            "Degradation:ShedStatus must be 429 or 503",
            "Tiers:2:Classes: unknown class 'ghost'",
            "class 'critical' is served by no tier",
        ];
        var missing = expected.Where(f => !result.Errors.Any(e => e.Contains(f, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"Not reported: {string.Join(" | ", missing)}\nReported:\n{string.Join("\n", result.Errors)}");
    }

    [Fact]
    public void Build_TierClassesWithoutAProfile_AreAnError()
    {
        var result = CatalogBuilder.Build(Options(degradation: null, ["standard"]), new SampleCatalogOptions.AllKeysSet());

        Assert.Contains(result.Errors, e => e.Contains("Tiers:2:Classes: request classes need a Degradation section", StringComparison.Ordinal));
    }
}
