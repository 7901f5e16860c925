using ControlPlane.Contracts;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Catalog;

public enum ProbeMode
{
    /// <summary>The smallest real request the provider accepts, streamed where the provider streams.</summary>
    Inference,

    /// <summary>The free metadata call (list models).</summary>
    Models,
}

public enum PanicPolicy
{
    /// <summary>Route to the least-bad target and raise a critical alert (Envoy's panic threshold).</summary>
    FailOpen,

    /// <summary>Publish the route with no eligible target; data planes answer 503 at once.</summary>
    FailClosed,
}

/// <summary>Where a provider's API key lives. The key itself is never stored, logged or sent anywhere but the provider.</summary>
public sealed record ApiKeySource(string? EnvironmentVariable, string? FilePath)
{
    public override string ToString() =>
        EnvironmentVariable is not null ? $"env:{EnvironmentVariable}" : $"file:{FilePath}";
}

public sealed record ProviderDefinition(
    string Id,
    ProviderKind Kind,
    Uri BaseUrl,
    ApiKeySource? ApiKey,
    IReadOnlyDictionary<string, string> Headers,
    int? ProbeBudgetPerMinute);

public sealed record ProbeSettings(
    ProbeMode Mode,
    TimeSpan Interval,
    TimeSpan Timeout,
    TimeSpan LatencyObjective,
    int MaxTokens,
    string Prompt,
    bool Stream,
    IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>How the request is shaped for the model (<see cref="ProbeProfiles"/>); auto: by model family.</summary>
    public ProbeProfile Profile { get; init; } = ProbeProfile.Auto;
}

/// <param name="Overlay">The target's own overlay (before any route entry's), or null.</param>
public sealed record TargetDefinition(TargetId Id, string ProviderId, string Model, ProbeSettings Probe, TargetOverlay? Overlay = null)
{
    /// <summary>The model's context window in tokens; null when the catalog does not say.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>Fleet-wide ceiling on requests in flight to the target, shared by the reporting gateways; null: none.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>The target's list price, what probe spend is costed at; null: tokens are counted but not costed.</summary>
    public TokenPrice? Price { get; init; }
}

/// <summary>A model's list price in USD per million tokens; reasoning tokens are billed as output.</summary>
public sealed record TokenPrice(decimal InputPerMillion, decimal OutputPerMillion);

/// <param name="Overlay">The effective overlay in this route: the target's with the entry's laid over it; null when none.</param>
public sealed record WeightedTarget(TargetId Target, int Weight, TargetOverlay? Overlay = null);

public sealed record RouteTier(IReadOnlyList<WeightedTarget> Targets)
{
    /// <summary>The request classes this tier serves; null: the default of <see cref="DegradationProfile.TierServes"/>.</summary>
    public IReadOnlyList<string>? Classes { get; init; }
}

/// <param name="Aliases">Other model names (exact or <c>*</c> patterns) clients may send for this route.</param>
public sealed record RouteDefinition(string Id, IReadOnlyList<RouteTier> Tiers, PanicPolicy PanicPolicy, IReadOnlyList<string>? Aliases = null)
{
    public IReadOnlyList<string> Aliases { get; init; } = Aliases ?? [];

    /// <summary>The route's request classes and what each gets when the route degrades; null: no profile.</summary>
    public DegradationProfile? Degradation { get; init; }

    /// <summary>The route's response cache as data planes receive it; null when the route has none.</summary>
    public RouteCache? Cache { get; init; }

    /// <summary>What a content-policy refusal does: <see cref="ContentPolicyRules.Return"/> (default) or <see cref="ContentPolicyRules.NextTarget"/>.</summary>
    public string OnContentPolicy { get; init; } = ContentPolicyRules.Return;
}

/// <summary>The validated, immutable catalog: providers, targets and routes.</summary>
public sealed class ProviderCatalog
{
    public ProviderCatalog(
        IEnumerable<ProviderDefinition> providers,
        IEnumerable<TargetDefinition> targets,
        IEnumerable<RouteDefinition> routes)
    {
        Providers = providers.ToDictionary(p => p.Id, StringComparer.Ordinal);
        Targets = targets.ToDictionary(t => t.Id);
        Routes = routes.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, ProviderDefinition> Providers { get; }

    public IReadOnlyDictionary<TargetId, TargetDefinition> Targets { get; }

    public IReadOnlyDictionary<string, RouteDefinition> Routes { get; }

    public ProviderDefinition ProviderOf(TargetId target) => Providers[Targets[target].ProviderId];
}
