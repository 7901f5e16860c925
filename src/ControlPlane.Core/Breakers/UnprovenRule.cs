using System.Globalization;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Breakers;

/// <summary>
/// Unproven is not healthy (issue #16): a target that has never answered — no successful or slow probe, no successful
/// gateway request — since it entered the control plane cannot be trusted with traffic, however closed its breaker
/// looks. Bad requests and refused quotas never trip a breaker, so without this rule a target whose model name is wrong
/// would take its share of traffic forever.
/// </summary>
/// <remarks>
/// <para>Proof is sticky: <see cref="BreakerState.Proven"/> is set by the first answer in the window and never cleared
/// (an outage later is the breaker's business, not this rule's).</para>
/// <para>Start-up: every target of a fresh deployment starts unproven, but a target counts as unproven only once its
/// window holds as much evidence as the breaker needs for a failure streak
/// (<see cref="BreakerSettings.ConsecutiveFailureThreshold"/>, 3 by default) and none of it answered. A target with no
/// observation yet, or one failed first probe, is left alone: the first probe round does not take targets out of the
/// table and put them back one by one, and a target that fails from its first probe with an outage the breaker counts
/// opens at the same evaluation it would become unproven, so the breaker's own status explains it.</para>
/// </remarks>
public static class UnprovenRule
{
    /// <summary>The routing status of an unproven target kept out of its route.</summary>
    public const string Status = "unproven: no successful probe or request yet";

    /// <summary>The state with <see cref="BreakerState.Proven"/> set when the window holds an answer.</summary>
    public static BreakerState Prove(BreakerState state, WindowStats stats)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(stats);
        return state.Proven || stats.Available <= 0 ? state : state with { Proven = true };
    }

    /// <summary>
    /// Never answered, and the window holds at least <paramref name="minimumEvidence"/> (weighted) observations, all of
    /// them failures or refusals.
    /// </summary>
    public static bool IsUnproven(BreakerState state, WindowStats stats, double minimumEvidence)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(stats);
        return !state.Proven && stats.Total > 0 && stats.Total >= minimumEvidence;
    }

    /// <summary>
    /// The signals of a target that never answered: its misconfiguration signals become one that says so and lists
    /// everything it got instead ("never succeeded since it was added: 12 auth failures (401/403); check the API key"),
    /// so the alert names the whole picture. Other signals (quota) stay as they are.
    /// </summary>
    /// <remarks>
    /// <para>Auth failures and bad requests raise the misconfiguration alert from the first one, proven or not; a target
    /// that never answered gets the wording from that first one too, because an alert keeps the summary it was raised
    /// with. Other failures raise it only once the target is <paramref name="unproven"/>.</para>
    /// <para>A target that got nothing but 529s and 429s has reached a live provider that took its key and its model and
    /// is busy: that is load, not configuration, and the breaker's open alert (grouped under a provider incident)
    /// already says so. Such a target keeps its signals as they are.</para>
    /// </remarks>
    public static IReadOnlyList<BreakerSignal> Signals(
        BreakerState state, WindowStats stats, IReadOnlyList<BreakerSignal> signals, bool unproven)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(signals);
        var misconfigured = signals.Any(s => s.Kind == BreakerSignalKind.Misconfiguration);
        var notLoad = stats.Total - stats.Count(ProbeOutcome.Overloaded) - stats.Count(ProbeOutcome.RateLimited) > 0;
        if (state.Proven || !(misconfigured || (unproven && notLoad)))
        {
            return signals;
        }

        var result = new List<BreakerSignal> { new(BreakerSignalKind.Misconfiguration, Describe(stats)) };
        result.AddRange(signals.Where(s => s.Kind != BreakerSignalKind.Misconfiguration));
        return result;
    }

    /// <summary>"never succeeded since it was added: 12 auth failures (401/403), 3 timeout; check the API key".</summary>
    public static string Describe(WindowStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var breakdown = stats.Counts
            .Where(kv => kv.Value > 0 && !kv.Key.IsAvailable())
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key)
            .Select(kv => $"{kv.Value.ToString("0.##", CultureInfo.InvariantCulture)} {Label(kv.Key)}");
        var text = $"never succeeded since it was added: {string.Join(", ", breakdown)}";
        if (stats.Count(ProbeOutcome.AuthFailure) > 0)
        {
            text += "; check the API key";
        }

        if (stats.Count(ProbeOutcome.BadRequest) > 0)
        {
            text += "; check the model name and the probe's parameters";
        }

        return text;
    }

    private static string Label(ProbeOutcome outcome) => outcome switch
    {
        ProbeOutcome.AuthFailure => "auth failures (401/403)",
        ProbeOutcome.BadRequest => "bad requests (400/404/422)",
        ProbeOutcome.QuotaExceeded => "quota or spend-cap rejections",
        _ => outcome.ToWireName(),
    };
}
