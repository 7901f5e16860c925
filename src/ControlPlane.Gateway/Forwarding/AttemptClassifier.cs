using ControlPlane.Contracts;

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
/// The gateway's cut of the outcome taxonomy (the control plane's ProbeClassifier does the full one): status codes
/// plus a look at the error body for overload and spend-cap markers. Outcome names are the wire names of
/// <see cref="Outcomes"/>, as they go into traffic reports.
/// </summary>
internal static class AttemptClassifier
{
    public static (string Outcome, Disposition Disposition) Classify(int status, ReadOnlySpan<byte> errorBody)
    {
        if (status is >= 200 and < 300)
        {
            return (Outcomes.Success, Disposition.Relay);
        }

        return status switch
        {
            429 => (IsQuota(errorBody) ? Outcomes.QuotaExceeded : Outcomes.RateLimited, Disposition.NextTarget),
            529 => (Outcomes.Overloaded, Disposition.NextTarget),
            >= 500 => (Contains(errorBody, "overloaded"u8) ? Outcomes.Overloaded : Outcomes.ServerError, Disposition.NextTarget),

            // The gateway substitutes its own provider key: a 401/403 upstream is that target's misconfiguration
            // (or its auth front door dying), which the client can do nothing about and another target may not share.
            401 or 403 => (Outcomes.AuthFailure, Disposition.NextTarget),
            408 => (Outcomes.Timeout, Disposition.NextTarget),
            _ => (Outcomes.BadRequest, Disposition.ReturnToClient),
        };
    }

    private static bool IsQuota(ReadOnlySpan<byte> body) =>
        Contains(body, "insufficient_quota"u8) || Contains(body, "spend_limit"u8) || Contains(body, "billing"u8) || Contains(body, "quota"u8);

    private static bool Contains(ReadOnlySpan<byte> body, ReadOnlySpan<byte> marker) => body.IndexOf(marker) >= 0;
}
