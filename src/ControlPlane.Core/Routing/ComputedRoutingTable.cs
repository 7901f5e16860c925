using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Routing;

/// <param name="EffectiveWeight">
/// Configured weight × breaker (degraded) or override multiplier × <see cref="RoutingTableBuilder.WeightScale"/>,
/// rounded, and at least 1 while eligible. The full weight: a slow-start ramp is not baked in but carried in
/// <paramref name="SlowStart"/> (what the target weighs at an instant is <see cref="SlowStartRamp.Weight"/>).
/// </param>
/// <param name="Status">Why the target has this weight: "closed", "degraded", "half-open trial", "open", or the override.</param>
/// <param name="Overlay">The effective overlay for this target in this route (from the catalog), or null.</param>
/// <param name="SlowStart">The slow-start ramp of an eligible target that recently recovered; null when none.</param>
public sealed record ComputedTarget(
    TargetId Target,
    int ConfiguredWeight,
    int EffectiveWeight,
    bool Eligible,
    CircuitState Breaker,
    string Status,
    TargetOverlay? Overlay = null,
    SlowStartEntry? SlowStart = null)
{
    /// <summary><see cref="Status"/> for people: "slow start" while a closed target ramps up.</summary>
    public string Description => SlowStart is null ? Status
        : Status == "closed" ? "slow start"
        : $"{Status}, slow start";

    /// <summary>The model's context window in tokens, from the catalog; null when unknown.</summary>
    public int? ContextWindow { get; init; }

    /// <summary>Fleet-wide ceiling on requests in flight, from the catalog; null when none.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>
    /// Never answered since it entered the control plane (<see cref="UnprovenRule"/>), on a target its breaker and the
    /// overrides would let take traffic: shown in the table, and kept out of traffic while the route has a proven
    /// eligible target (<see cref="UnprovenRouting"/>). False on a target that is out for another reason (open, paused).
    /// </summary>
    public bool Unproven { get; init; }
}

public sealed record ComputedTier(int Index, IReadOnlyList<ComputedTarget> Targets)
{
    public bool HasEligible => Targets.Any(t => t.Eligible);
}

/// <summary>A target receiving the route's traffic, with its share.</summary>
public sealed record RoutedTarget(TargetId Target, int Weight);

/// <param name="ActiveTierIndex">The first tier with an eligible target; null when pinned to no tier or in panic.</param>
/// <param name="Active">Where the traffic goes: the active tier's eligible targets, the pinned target, or the panic pick.</param>
/// <param name="PanicReason">Set when no target was eligible: what the policy did about it.</param>
/// <param name="PinnedBy">Id of the <c>PinRoute</c> override in force, if any.</param>
public sealed record ComputedRoute(
    string RouteId,
    PanicPolicy PanicPolicy,
    IReadOnlyList<ComputedTier> Tiers,
    int? ActiveTierIndex,
    IReadOnlyList<RoutedTarget> Active,
    bool Panic,
    string? PanicReason,
    string? PinnedBy,
    string? PinNote)
{
    /// <summary>The route's aliases from the catalog (exact names and <c>*</c> patterns), in catalog order.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The route's degradation decision (state, what each class gets); null when the route has no profile.</summary>
    public DegradationEntry? Degradation { get; init; }

    /// <summary>The route's response cache from the catalog; null when it has none.</summary>
    public RouteCache? Cache { get; init; }

    /// <summary>What a content-policy refusal does (<see cref="ContentPolicyRules"/>), from the catalog.</summary>
    public string OnContentPolicy { get; init; } = ContentPolicyRules.Return;

    /// <summary>
    /// The one target a data plane must send everything to: an operator pin, or the pick of a fail-open panic
    /// (docs/protocol.md); null when traffic spreads over the active tier.
    /// </summary>
    public TargetId? PinnedTarget => (PinnedBy is not null || Panic) && Active.Count > 0 ? Active[0].Target : null;

    /// <summary>
    /// The tier data planes are told is active: <see cref="ActiveTierIndex"/>, or under a pin the tier the pinned
    /// target sits in (a pin keeps its tier); null in panic, which has no active tier.
    /// </summary>
    public int? ActiveTier => Panic
        ? null
        : ActiveTierIndex ?? Tiers.FirstOrDefault(t => t.Targets.Any(x => Active.Any(a => a.Target == x.Target)))?.Index;
}

/// <summary>
/// The routing decision for the whole catalog. <see cref="ComputedAt"/> is not content: two tables computed at
/// different instants from the same inputs are <see cref="ContentEquals"/> and share a <see cref="ContentHash"/>,
/// so the publisher issues a new version only when something a data plane would act on changed
/// (<see cref="SameDecisionAs"/>).
/// </summary>
public sealed class ComputedRoutingTable
{
    private readonly Lazy<string> _canonical;

    public ComputedRoutingTable(DateTimeOffset computedAt, IEnumerable<ComputedRoute> routes)
    {
        ComputedAt = computedAt;
        Routes = routes.OrderBy(r => r.RouteId, StringComparer.Ordinal).ToList();
        _canonical = new Lazy<string>(() => BuildCanonical(rampsOverBy: null));
        HasSlowStart = Routes.Any(r => r.Tiers.Any(t => t.Targets.Any(x => x.SlowStart is not null)));
    }

    /// <summary>True when some target carries a slow-start ramp.</summary>
    public bool HasSlowStart { get; }

    /// <summary>
    /// How many gateways report traffic, among which every fleet-wide <see cref="ComputedTarget.MaxConcurrency"/> is
    /// split; null when no target has one (then it is not content: a gateway joining changes no decision).
    /// </summary>
    public int? ReportingGateways { get; init; }

    public DateTimeOffset ComputedAt { get; }

    public IReadOnlyList<ComputedRoute> Routes { get; }

    /// <summary>
    /// The decision's canonical text, the basis of <see cref="ContentHash"/> and <see cref="ContentEquals"/>: a field
    /// added to it (aliases, overlays) must leave the text of catalogs that do not use it unchanged, or an upgrade
    /// would publish a version that decides nothing new.
    /// </summary>
    public string CanonicalContent => _canonical.Value;

    /// <summary>Lower-case hex SHA-256 of the canonical content text.</summary>
    public string ContentHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_canonical.Value)));

    public ComputedRoute? Route(string routeId) => Routes.FirstOrDefault(r => string.Equals(r.RouteId, routeId, StringComparison.Ordinal));

    public bool ContentEquals(ComputedRoutingTable? other) =>
        other is not null && string.Equals(_canonical.Value, other._canonical.Value, StringComparison.Ordinal);

    /// <summary>
    /// Whether a data plane holding <paramref name="published"/> routes exactly as it would with this table, as of
    /// <paramref name="now"/>: the content is equal once every slow-start ramp that is over by then is left out of both.
    /// A finished ramp weighs the full weight, exactly like no ramp, so the breaker clearing it at the ramp's end is not
    /// a new version: a slow start costs one version (the one that closed the breaker), not two.
    /// </summary>
    public bool SameDecisionAs(ComputedRoutingTable? published, DateTimeOffset now)
    {
        if (published is null)
        {
            return false;
        }

        if (ContentEquals(published))
        {
            return true;
        }

        return (HasSlowStart || published.HasSlowStart)
            && string.Equals(BuildCanonical(now), published.BuildCanonical(now), StringComparison.Ordinal);
    }

    // rampsOverBy: leave out ramps over by that instant (null: keep every ramp — the stored, hashed content).
    private string BuildCanonical(DateTimeOffset? rampsOverBy)
    {
        var sb = new StringBuilder();
        if (ReportingGateways is { } gateways)
        {
            sb.Append(CultureInfo.InvariantCulture, $"gateways|{gateways}\n");
        }

        foreach (var r in Routes)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"route|{r.RouteId}|{r.PanicPolicy}|{r.ActiveTierIndex}|{r.Panic}|{r.PanicReason}|{r.PinnedBy}|{r.PinNote}\n");
            // Aliases and overlays are content: a catalog edit that only changes them must still reach the data planes.
            if (r.Aliases.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"aliases|{string.Join('|', r.Aliases)}\n");
            }

            if (r.Degradation is { } d)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"degradation|{d.State}|{d.DefaultClass}|{d.HoldTimeoutMs}|{d.ShedStatus}|{d.RetryAt?.UtcTicks}\n");
                foreach (var c in d.Classes)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"class|{c.Class}|{c.Action}|{string.Join(',', c.Tiers)}\n");
                }
            }

            if (r.Cache is { } cache)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"cache|{cache.Mode}|{cache.TtlMs}|{cache.AllowTemperature}|{cache.ShareAcrossKeys}\n");
            }

            // Like aliases: only a non-default rule is written, so catalogs without it keep their text.
            if (r.OnContentPolicy != ContentPolicyRules.Return)
            {
                sb.Append(CultureInfo.InvariantCulture, $"contentpolicy|{r.OnContentPolicy}\n");
            }

            foreach (var tier in r.Tiers)
            {
                foreach (var t in tier.Targets)
                {
                    sb.Append(CultureInfo.InvariantCulture,
                        $"target|{tier.Index}|{t.Target}|{t.ConfiguredWeight}|{t.EffectiveWeight}|{t.Eligible}|{t.Breaker}|{t.Status}\n");
                    if (t.Overlay is not null)
                    {
                        sb.Append("overlay|").Append(Encoding.UTF8.GetString(ContractsJson.Serialize(t.Overlay))).Append('\n');
                    }

                    if (t.SlowStart is { } ramp && !(rampsOverBy is { } at && SlowStartRamp.IsOver(ramp, at)))
                    {
                        sb.Append(CultureInfo.InvariantCulture,
                            $"slowstart|{ramp.StartedAt.UtcTicks}|{ramp.DurationMs}|{ramp.FloorMilli}|{ramp.Steps}\n");
                    }

                    if (t.ContextWindow is { } window)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"contextwindow|{window}\n");
                    }

                    if (t.MaxConcurrency is { } max)
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"maxconcurrency|{max}\n");
                    }

                    // Written only when set, so tables without unproven targets keep their text (and hash).
                    if (t.Unproven)
                    {
                        sb.Append("unproven\n");
                    }

                }
            }

            foreach (var a in r.Active)
            {
                sb.Append(CultureInfo.InvariantCulture, $"active|{a.Target}|{a.Weight}\n");
            }
        }

        return sb.ToString();
    }
}
