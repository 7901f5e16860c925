namespace ControlPlane.Core.Catalog;

/// <summary>What a request class gets in a route state: served as usual, held for the primary tier, or shed.</summary>
public enum ClassAction
{
    Serve,
    Hold,
    Shed,
}

/// <summary>One request class of a route and what it gets while the route is degraded and in panic.</summary>
public sealed record RequestClassRule(string Name, ClassAction Degraded, ClassAction Panic);

/// <summary>
/// A route's degradation profile from the catalog: its request classes (the four built-in ones with their defaults,
/// plus any the route defines), the class of requests that name none, the hold deadline and the shed status.
/// Which tiers serve which class lives on each <see cref="RouteTier"/>.
/// </summary>
public sealed record DegradationProfile(string DefaultClass, TimeSpan HoldTimeout, int ShedStatus, IReadOnlyList<RequestClassRule> Classes)
{
    public const string Critical = "critical";
    public const string Standard = "standard";
    public const string Background = "background";
    public const string NeedsPrimary = "needs-primary";

    public static readonly TimeSpan DefaultHoldTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The built-in classes and what they get unless the route says otherwise: critical and standard requests are
    /// served by whatever tier is active; background requests are shed; needs-primary requests (complex reasoning
    /// that must not go to a weaker model) wait for the primary tier.
    /// </summary>
    public static IReadOnlyList<RequestClassRule> BuiltIn { get; } =
    [
        new(Critical, ClassAction.Serve, ClassAction.Serve),
        new(Standard, ClassAction.Serve, ClassAction.Serve),
        new(Background, ClassAction.Shed, ClassAction.Shed),
        new(NeedsPrimary, ClassAction.Hold, ClassAction.Hold),
    ];

    public RequestClassRule? Find(string name) => Classes.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Whether tier <paramref name="tierIndex"/> serves class <paramref name="name"/>: as the tier lists, or by
    /// default every class, except that only the primary tier serves <c>needs-primary</c>.
    /// </summary>
    public static bool TierServes(RouteTier tier, int tierIndex, string name) =>
        tier.Classes is { } listed
            ? listed.Contains(name, StringComparer.Ordinal)
            : tierIndex == 0 || !string.Equals(name, NeedsPrimary, StringComparison.Ordinal);
}
