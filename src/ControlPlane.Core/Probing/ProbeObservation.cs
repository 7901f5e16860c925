using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Probing;

/// <summary>
/// What one probe attempt saw, gathered by the probe executor and handed to <see cref="ProbeClassifier"/>.
/// Deliberately raw (status, body text, flags) so every classification rule lives in one pure function.
/// </summary>
public sealed record ProbeObservation
{
    public required ProviderKind Kind { get; init; }

    /// <summary>From sending the request to the end of the response or the failure.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>The target's latency objective; a success slower than this is <see cref="ProbeOutcome.Slow"/>.</summary>
    public TimeSpan LatencyObjective { get; init; } = TimeSpan.MaxValue;

    /// <summary>Our own probe timeout fired (at any point, including while reading the stream).</summary>
    public bool TimedOut { get; init; }

    /// <summary>The provider's configured key source held no usable key, so nothing was sent.</summary>
    public bool CredentialsUnavailable { get; init; }

    /// <summary>No HTTP response arrived because the transport failed.</summary>
    public TransportFailure Transport { get; init; }

    /// <summary>Exception type name behind a transport failure, for the sample's detail. Never the message.</summary>
    public string? ExceptionType { get; init; }

    /// <summary>The status the provider answered with, when it answered.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The error body (non-2xx) or the error event payload (stream), truncated by the caller.</summary>
    public string? ErrorBody { get; init; }

    /// <summary>The provider's retry-after hint (header or body), when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }

    public StreamFailure Stream { get; init; }

    /// <summary>
    /// Content (a token) arrived before the stream failed. A failure before any content is an answer that is not an
    /// answer — the gateway retries it on the next target like a 5xx — so it is classified by what the provider said.
    /// </summary>
    public bool ContentReceived { get; init; }

    /// <summary>Set when a 2xx body or stream was not the provider's wire format: a short, fixed reason.</summary>
    public string? MalformedReason { get; init; }
}

/// <summary>The classifier's answer: the outcome and a short, secret-free detail (null on success).</summary>
public readonly record struct ProbeClassification(ProbeOutcome Outcome, string? Detail);
