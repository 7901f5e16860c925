using System.Collections.Concurrent;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Routing;

namespace ControlPlane.Service.Breakers;

/// <param name="WeightMultiplier">What the target weighs now, slow-start ramp included; null when read from storage.</param>
/// <param name="SlowStartStartedAt">While the weight ramps up after a recovery: when the ramp started; null otherwise.</param>
public sealed record BreakerView(
    string Target,
    string Provider,
    string Model,
    string State,
    DateTimeOffset Since,
    int TripCount,
    DateTimeOffset? OpenUntil,
    double? WeightMultiplier,
    double? FailureRatio,
    DateTimeOffset EvaluatedAt,
    DateTimeOffset? SlowStartStartedAt = null)
{
    /// <summary>Whether the target has ever answered since it entered the control plane (never cleared once set).</summary>
    public bool Proven { get; init; } = true;

    /// <summary>
    /// True while the target is unproven with evidence — tried, never answered — which keeps it out of a route that has
    /// a proven eligible target (docs/operations.md, "Unproven targets"); null when read from storage, which holds the
    /// flag but not the window.
    /// </summary>
    public bool? Unproven { get; init; }
}

/// <summary>The leader's latest evaluation of every target, for the API and metrics.</summary>
public sealed class BreakerStateView
{
    private readonly ConcurrentDictionary<TargetId, BreakerView> _views = new();

    public bool IsEmpty => _views.IsEmpty;

    public IReadOnlyList<BreakerView> All => _views.Values.OrderBy(v => v.Target, StringComparer.Ordinal).ToList();

    /// <summary>Forgets the evaluations of a leadership term that ended, so readers fall back to the stored states.</summary>
    internal void Clear() => _views.Clear();

    internal void Update(TargetDefinition target, BreakerEvaluation evaluation, DateTimeOffset now)
    {
        BreakerMetrics.Observe(target, evaluation);
        var state = evaluation.State;
        _views[target.Id] = new BreakerView(
            target.Id.Value, target.ProviderId, target.Model, RoutingTableMapper.StateName(state.State),
            state.Since, state.TripCount, state.OpenUntil, evaluation.WeightMultiplier, evaluation.FailureRatio, now, state.SlowStartStartedAt)
        {
            Proven = state.Proven,
            Unproven = evaluation.Unproven,
        };
    }
}
