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
/// window holds evidence and none of it answered. A target with no observation yet is left alone, so the first probe
/// round does not take targets out of the table and put them back one by one; the first answer proves a target before
/// it was ever excluded.</para>
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

    /// <summary>Never answered, and the window holds evidence (so all of it is failures or refusals).</summary>
    public static bool IsUnproven(BreakerState state, WindowStats stats)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(stats);
        return !state.Proven && stats.Total > 0;
    }

    /// <summary>
    /// The signals of an unproven target: its misconfiguration signals become one that says the target never worked
    /// and lists everything it got instead ("never succeeded since it was added: 12 auth failures (401/403); check the
    /// API key"), so the alert names the whole picture. Other signals (quota) stay as they are.
    /// </summary>
    /// <param name="minimumEvidence">
    /// Without an auth failure or a bad request (misconfigurations on their own), how much evidence it takes to raise
    /// the alert: one timeout or 503 on the very first probe of a fresh deployment is no reason to page anyone; the
    /// breaker's failure streak (<see cref="BreakerSettings.ConsecutiveFailureThreshold"/>) is.
    /// </param>
    public static IReadOnlyList<BreakerSignal> Signals(WindowStats stats, IReadOnlyList<BreakerSignal> signals, double minimumEvidence)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(signals);
        if (!signals.Any(s => s.Kind == BreakerSignalKind.Misconfiguration) && stats.Total < minimumEvidence)
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
