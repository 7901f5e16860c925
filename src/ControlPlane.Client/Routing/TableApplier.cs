using ControlPlane.Contracts;

namespace ControlPlane.Client;

/// <summary>What a subscriber does with a candidate table.</summary>
public enum ApplyOutcome
{
    /// <summary>Valid and newer: it replaces the current table.</summary>
    Applied,

    /// <summary>Valid but not newer than the current table: dropped, never a regression.</summary>
    Ignored,

    /// <summary>
    /// Too large, malformed, signed with an unknown key id, with a bad signature, or a second table claiming the
    /// version held: dropped, the last good table stays.
    /// </summary>
    Rejected,
}

/// <summary>Where a candidate table came from.</summary>
public enum TableSource
{
    /// <summary>The local cache file, at start.</summary>
    Cache,

    /// <summary>The control plane's <c>GET /api/routing-table</c>.</summary>
    Snapshot,

    /// <summary>A message from the <c>controlplane.routing-table</c> exchange.</summary>
    Broker,
}

/// <summary>The decision about one candidate table.</summary>
/// <param name="Outcome">Apply, ignore or reject.</param>
/// <param name="Message">The parsed candidate, when it could be read.</param>
/// <param name="RejectionReason">One of <see cref="RejectionReasons"/> when rejected, else null.</param>
/// <param name="Detail">Human-readable explanation.</param>
public sealed record ApplyDecision(ApplyOutcome Outcome, RoutingTableChanged? Message, string? RejectionReason, string? Detail);

/// <summary>
/// The pure apply rule of the protocol: verify first, then apply only strictly newer versions; the same version with
/// other content is a conflict, never "not newer".
/// </summary>
public static class TableApplier
{
    /// <summary>Decides what to do with a verified candidate given the version currently held (null: none).</summary>
    public static ApplyDecision Decide(long? currentVersion, RoutingTableVerification candidate) =>
        Decide(currentVersion, currentContentHash: null, candidate, candidateContentHash: null, settlesConflicts: false);

    /// <summary>
    /// Decides what to do with a verified candidate given the table held. A valid candidate with the held version and
    /// a different <see cref="CanonicalJson.ContentHash"/> is rejected as <see cref="RejectionReasons.VersionConflict"/>
    /// unless <paramref name="settlesConflicts"/> (the control plane's own snapshot answer), which replaces the held
    /// table: a table signed with our key out of band must not shadow the control plane's table of the same number.
    /// </summary>
    public static ApplyDecision Decide(
        long? currentVersion, string? currentContentHash, RoutingTableVerification candidate, string? candidateContentHash, bool settlesConflicts)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return candidate.Result switch
        {
            VerificationResult.Malformed => new(ApplyOutcome.Rejected, candidate.Message, RejectionReasons.Malformed, candidate.Detail),
            VerificationResult.UnknownKeyId => new(ApplyOutcome.Rejected, candidate.Message, RejectionReasons.UnknownKeyId, candidate.Detail),
            VerificationResult.BadSignature => new(ApplyOutcome.Rejected, candidate.Message, RejectionReasons.BadSignature, candidate.Detail),
            VerificationResult.Valid when currentVersion is { } current && candidate.Message!.Version == current
                && currentContentHash is not null && candidateContentHash is not null
                && !string.Equals(currentContentHash, candidateContentHash, StringComparison.Ordinal) =>
                settlesConflicts
                    ? new(ApplyOutcome.Applied, candidate.Message, null, $"version {current} replaced: the control plane's snapshot settles a conflict")
                    : new(ApplyOutcome.Rejected, candidate.Message, RejectionReasons.VersionConflict, $"version {current} is held with other content"),
            VerificationResult.Valid when currentVersion is { } current && candidate.Message!.Version <= current =>
                new(ApplyOutcome.Ignored, candidate.Message, null, $"version {candidate.Message.Version} is not newer than {current}"),
            VerificationResult.Valid => new(ApplyOutcome.Applied, candidate.Message, null, null),
            _ => throw new ArgumentOutOfRangeException(nameof(candidate), candidate.Result, "Unknown verification result."),
        };
    }

    /// <summary>The decision for a candidate larger than <see cref="ProtocolLimits.MaxMessageBytes"/>, taken before parsing.</summary>
    public static ApplyDecision TooLarge(long size) =>
        new(ApplyOutcome.Rejected, null, RejectionReasons.TooLarge, $"{size} bytes is over the limit of {ProtocolLimits.MaxMessageBytes}");
}
