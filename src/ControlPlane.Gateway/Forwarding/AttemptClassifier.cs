using ControlPlane.Contracts;
using ControlPlane.Contracts.Providers;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>What to do with an upstream answer that arrived before any byte went to the client.</summary>
internal enum Disposition
{
    /// <summary>2xx: relay it.</summary>
    Relay,

    /// <summary>The target failed: count it against the target and try the next one.</summary>
    NextTarget,

    /// <summary>The client's own mistake (400, 404, 413, 422…): relay it as is; the target is not to blame.</summary>
    ReturnToClient,
}

/// <summary>
/// Names the outcome of an upstream answer with the status-and-body rules the control plane's probes use
/// (<see cref="ErrorClassifier"/>), so one answer counts the same in a traffic report as in a probe sample, and
/// decides from that outcome what the forwarder does next.
/// </summary>
internal static class AttemptClassifier
{
    public static (string Outcome, Disposition Disposition) Classify(int status, ReadOnlySpan<byte> errorBody)
    {
        if (status is >= 200 and < 300)
        {
            return (Outcomes.Success, Disposition.Relay);
        }

        var outcome = ErrorClassifier.Classify(status, ProviderError.TryParse(errorBody));

        // The gateway substitutes its own provider key: a 401/403 upstream is that target's misconfiguration (or its
        // auth front door dying), which the client can do nothing about and another target may not share. Likewise a
        // spend cap belongs to this target's account. Only the client's own mistakes go back to it as they are.
        return (outcome, outcome == Outcomes.BadRequest ? Disposition.ReturnToClient : Disposition.NextTarget);
    }

    /// <summary>
    /// The refusal (<see cref="Refusals"/>) a rejected answer is, with what a context-window refusal states; null
    /// when it is a plain rejection. The rule is <see cref="ErrorClassifier.ClassifyRefusal"/>, shared with probes.
    /// </summary>
    public static (string Refusal, ContextWindowNumbers? Window)? Refusal(int status, ReadOnlySpan<byte> errorBody)
    {
        var error = ProviderError.TryParse(errorBody);
        return ErrorClassifier.ClassifyRefusal(status, error) switch
        {
            Refusals.ContextWindow => (Refusals.ContextWindow, ErrorClassifier.ContextWindowOf(error!)),
            { } refusal => (refusal, null),
            null => null,
        };
    }
}
