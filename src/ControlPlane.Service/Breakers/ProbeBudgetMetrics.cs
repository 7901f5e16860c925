using ControlPlane.Core.Probing;
using Prometheus;

namespace ControlPlane.Service.Breakers;

/// <summary>What probing would like to spend against what each provider's budget allows; set by the leader.</summary>
internal static class ProbeBudgetMetrics
{
    private static readonly Gauge Budget = Metrics.CreateGauge(
        "controlplane_probe_budget_per_minute", "A provider's ProbeBudgetPerMinute (only providers that set one).", "provider");

    private static readonly Gauge Demand = Metrics.CreateGauge(
        "controlplane_probe_demand_per_minute", "Probes per minute adaptive probing asks for, across a budgeted provider's targets.", "provider");

    private static readonly Gauge Allocated = Metrics.CreateGauge(
        "controlplane_probe_allocated_per_minute", "Probes per minute a budgeted provider's targets get (at most its budget).", "provider");

    private static readonly Gauge Binding = Metrics.CreateGauge(
        "controlplane_probe_budget_binding", "1 while a provider's probe budget stretches some of its targets' intervals, else 0.", "provider");

    private static readonly Gauge SuppressedTargets = Metrics.CreateGauge(
        "controlplane_probe_suppressed_targets",
        "Targets whose gateway traffic covers them, probed with the list-models liveness call instead of inference.",
        "provider");

    public static void Observe(string provider, int budget, ProbeAllocation allocation)
    {
        Budget.WithLabels(provider).Set(budget);
        Demand.WithLabels(provider).Set(allocation.DemandPerMinute);
        Allocated.WithLabels(provider).Set(allocation.AllocatedPerMinute);
        Binding.WithLabels(provider).Set(allocation.Binding ? 1 : 0);
    }

    public static void Suppressed(string provider, int count) => SuppressedTargets.WithLabels(provider).Set(count);
}
