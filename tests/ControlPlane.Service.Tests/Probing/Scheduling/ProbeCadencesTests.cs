using ControlPlane.Core.Catalog;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Tests.Probing.Scheduling;

/// <summary>
/// The cadence a replica starts from: the catalog's, stretched to the provider's budget before the leader has decided
/// anything; and a stored decision applies only under the catalog interval and budget it was made under.
/// </summary>
public sealed class ProbeCadencesTests
{

    private static ProviderCatalog Catalog(int? budget) => CatalogBuilder.Build(new CatalogOptions
    {
        Probe = new ProbeOptions { Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1) },
        Providers = [new() { Id = "a", Kind = "openai", BaseUrl = "https://a.example", ApiKeyEnv = "A", ProbeBudgetPerMinute = budget }],
        Targets = [new() { Provider = "a", Model = "m1" }, new() { Provider = "a", Model = "m2" }],
        Routes = [new() { Id = "chat", Tiers = [new() { Targets = [new() { Target = "a/m1" }, new() { Target = "a/m2" }] }] }],
    }, AllKeysSet.Instance).Catalog!;

    [Fact]
    public void Baseline_BudgetedProvider_StretchesTheCatalogIntervalsFromTheStart()
    {
        // Two targets at 2 s ask for 60 probes a minute; 12 allowed: one probe every 10 s each.
        var catalog = Catalog(budget: 12);
        var cadences = new ProbeCadences(catalog);

        var baseline = cadences.Baseline(catalog.Targets[new TargetId("a/m1")]);

        Assert.Equal(TimeSpan.FromSeconds(10), baseline.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), baseline.DesiredInterval);
        Assert.True(baseline.BudgetLimited);
    }

    [Fact]
    public void Baseline_WithoutABudget_IsTheCatalogCadence()
    {
        var catalog = Catalog(budget: null);

        var baseline = new ProbeCadences(catalog).Baseline(catalog.Targets[new TargetId("a/m1")]);

        Assert.Equal(TimeSpan.FromSeconds(2), baseline.Interval);
        Assert.False(baseline.BudgetLimited);
    }

    [Fact]
    public void StoredRow_AppliesOnlyUnderTheIntervalAndBudgetItWasMadeUnder()
    {
        var budgeted = Catalog(budget: 12);
        var unbudgeted = Catalog(budget: null);
        var target = budgeted.Targets[new TargetId("a/m1")];
        var cadence = new TargetCadence(TimeSpan.FromSeconds(10), ProbeMode.Inference, TimeSpan.FromSeconds(2));

        var madeWithoutBudget = new ProbeCadenceRow(target.Id, TimeSpan.FromSeconds(2), cadence, Revision: 1, BudgetPerMinute: null);
        var madeUnderBudget = madeWithoutBudget with { BudgetPerMinute = 12 };
        var madeForOtherInterval = madeUnderBudget with { BaseInterval = TimeSpan.FromSeconds(5) };

        Assert.True(madeUnderBudget.AppliesTo(target, budgeted));
        Assert.False(madeWithoutBudget.AppliesTo(target, budgeted));
        Assert.False(madeUnderBudget.AppliesTo(unbudgeted.Targets[target.Id], unbudgeted));
        Assert.False(madeForOtherInterval.AppliesTo(target, budgeted));
    }
}
