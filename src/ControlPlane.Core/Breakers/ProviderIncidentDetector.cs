using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Breakers;

/// <param name="MinimumOpenTargets">K: this many unhealthy targets make an incident…</param>
/// <param name="MinimumOpenFraction">…as does this share of the provider's targets, provided at least two are unhealthy.</param>
public sealed record ProviderIncidentSettings(int MinimumOpenTargets = 2, double MinimumOpenFraction = 0.5)
{
    public static ProviderIncidentSettings Default { get; } = new();
}

public sealed record ProviderIncident(string ProviderId, IReadOnlyList<TargetId> OpenTargets, int TotalTargets, string Reason);

/// <summary>
/// Several targets of one provider failing together is a provider incident (alerting groups per-model alerts
/// under it). Open and HalfOpen both count as unhealthy: a trial has not proven anything yet.
/// </summary>
public static class ProviderIncidentDetector
{
    public static ProviderIncident? Detect(
        string providerId,
        IReadOnlyDictionary<TargetId, CircuitState> targetStates,
        ProviderIncidentSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(targetStates);
        settings ??= ProviderIncidentSettings.Default;

        var open = targetStates
            .Where(kv => kv.Value is CircuitState.Open or CircuitState.HalfOpen)
            .Select(kv => kv.Key)
            .Order()
            .ToList();
        var total = targetStates.Count;
        if (open.Count < 2 || total == 0)
        {
            return null;
        }

        var byCount = open.Count >= settings.MinimumOpenTargets;
        var byFraction = (double)open.Count / total >= settings.MinimumOpenFraction;
        return byCount || byFraction
            ? new ProviderIncident(providerId, open, total, $"{open.Count} of {total} targets of {providerId} are open")
            : null;
    }

    /// <summary>Every provider of the catalog with an incident; targets without a known state count as healthy.</summary>
    public static IReadOnlyList<ProviderIncident> DetectAll(
        ProviderCatalog catalog,
        IReadOnlyDictionary<TargetId, CircuitState> states,
        ProviderIncidentSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(states);
        return catalog.Targets.Values
            .GroupBy(t => t.ProviderId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Detect(
                g.Key,
                g.ToDictionary(t => t.Id, t => states.TryGetValue(t.Id, out var s) ? s : CircuitState.Closed),
                settings))
            .OfType<ProviderIncident>()
            .ToList();
    }
}
