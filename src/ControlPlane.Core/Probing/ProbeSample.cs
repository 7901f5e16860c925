using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Probing;

/// <summary>One observation of one target: what happened, how long it took, when.</summary>
/// <param name="Latency">Total time from sending the request to the end of the response (or the failure).</param>
/// <param name="TimeToFirstToken">For streamed inference: time to the first content event; null otherwise.</param>
/// <param name="HttpStatus">The status the provider answered with, when it answered.</param>
/// <param name="RetryAfter">The provider's retry-after, when it sent one.</param>
/// <param name="Detail">Short, secret-free description of a failure (error type, exception kind).</param>
/// <param name="Usage">The tokens the answer reported spending; null when it reported none (models mode, failures).</param>
public sealed record ProbeSample(
    TargetId Target,
    string ProviderId,
    string Model,
    ProbeOutcome Outcome,
    DateTimeOffset ObservedAt,
    TimeSpan Latency,
    TimeSpan? TimeToFirstToken = null,
    int? HttpStatus = null,
    TimeSpan? RetryAfter = null,
    string? Detail = null,
    ProbeMode Mode = ProbeMode.Inference,
    ProbeUsage? Usage = null);
