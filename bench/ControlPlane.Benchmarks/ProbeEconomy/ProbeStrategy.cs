using ControlPlane.Core.Catalog;

namespace ControlPlane.Benchmarks.ProbeEconomy;

/// <summary>One way of probing the fleet, compared side by side with the others on the same plan.</summary>
/// <param name="Mode">The catalog's probe mode for every target.</param>
/// <param name="Adaptive">Intervals and mode from ProbeCadence.Decide after every evaluation; else fixed.</param>
/// <param name="SuppressWhenCovered">ProbeCadenceSettings.SuppressWhenCovered (only with <paramref name="Adaptive"/>).</param>
/// <param name="BudgetPerMinute">A ProbeBudgetPerMinute on every provider, applied with ProbeBudget.Allocate; null: none.</param>
internal sealed record ProbeStrategy(string Key, string Label, ProbeMode Mode, bool Adaptive, bool SuppressWhenCovered, ProbeShape Shape, int? BudgetPerMinute = null)
{
    /// <summary>(c) under a per-provider probe budget: what binding costs in detection time.</summary>
    public static ProbeStrategy Budgeted(int budgetPerMinute) => new(
        "c+budget", $"adaptive + suppression, profiles, ProbeBudgetPerMinute {budgetPerMinute} per provider", ProbeMode.Inference, Adaptive: true, SuppressWhenCovered: true,
        ProbeShape.Profiled, budgetPerMinute);

    public static IReadOnlyList<ProbeStrategy> All { get; } =
    [
        new("a", "fixed 10 s inference, naive request", ProbeMode.Inference, Adaptive: false, SuppressWhenCovered: false, ProbeShape.Naive),
        new("a+p", "fixed 10 s inference, probe profiles", ProbeMode.Inference, Adaptive: false, SuppressWhenCovered: false, ProbeShape.Profiled),
        new("b", "adaptive, profiles", ProbeMode.Inference, Adaptive: true, SuppressWhenCovered: false, ProbeShape.Profiled),
        new("c", "adaptive + traffic suppression, profiles", ProbeMode.Inference, Adaptive: true, SuppressWhenCovered: true, ProbeShape.Profiled),
        new("d", "fixed 10 s `models` (list models)", ProbeMode.Models, Adaptive: false, SuppressWhenCovered: false, ProbeShape.Profiled),
    ];
}
