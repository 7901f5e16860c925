using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Tests.Breakers;

public sealed class ProviderIncidentDetectorTests
{
    private static TargetId T(string model) => TargetId.For("openai", model);

    [Fact]
    public void TwoOpenTargets_AreAProviderIncident()
    {
        var states = new Dictionary<TargetId, CircuitState>
        {
            [T("a")] = CircuitState.Open,
            [T("b")] = CircuitState.HalfOpen,
            [T("c")] = CircuitState.Closed,
            [T("d")] = CircuitState.Degraded,
            [T("e")] = CircuitState.Closed,
        };

        var incident = ProviderIncidentDetector.Detect("openai", states);

        Assert.NotNull(incident);
        Assert.Equal([T("a"), T("b")], incident.OpenTargets);
        Assert.Equal(5, incident.TotalTargets);
        Assert.Contains("2 of 5", incident.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OneOpenTarget_IsNotAnIncidentEvenWhenItIsTheOnlyTarget()
    {
        Assert.Null(ProviderIncidentDetector.Detect("openai", new Dictionary<TargetId, CircuitState> { [T("a")] = CircuitState.Open }));
        Assert.Null(ProviderIncidentDetector.Detect("openai", new Dictionary<TargetId, CircuitState>
        {
            [T("a")] = CircuitState.Open,
            [T("b")] = CircuitState.Closed,
            [T("c")] = CircuitState.Closed,
        }));
    }

    [Fact]
    public void Fraction_MakesAnIncidentBelowK()
    {
        var settings = new ProviderIncidentSettings(MinimumOpenTargets: 3, MinimumOpenFraction: 0.5);
        var half = new Dictionary<TargetId, CircuitState>
        {
            [T("a")] = CircuitState.Open,
            [T("b")] = CircuitState.Open,
            [T("c")] = CircuitState.Closed,
            [T("d")] = CircuitState.Closed,
        };
        var third = new Dictionary<TargetId, CircuitState>(half) { [T("e")] = CircuitState.Closed, [T("f")] = CircuitState.Closed };

        Assert.NotNull(ProviderIncidentDetector.Detect("openai", half, settings));
        Assert.Null(ProviderIncidentDetector.Detect("openai", third, settings));
    }

    [Fact]
    public void DetectAll_GroupsTargetsByProviderAndTreatsUnknownAsHealthy()
    {
        var catalog = Catalogs.Build(
            routes: [],
            targets: ["openai/a", "openai/b", "anthropic/x", "anthropic/y"]);
        var states = new Dictionary<TargetId, CircuitState>
        {
            [new("openai/a")] = CircuitState.Open,
            [new("openai/b")] = CircuitState.Open,
            [new("anthropic/x")] = CircuitState.Open,
        };

        var incident = Assert.Single(ProviderIncidentDetector.DetectAll(catalog, states));

        Assert.Equal("openai", incident.ProviderId);
    }
}
