using ControlPlane.Contracts;

namespace ControlPlane.Core.Probing;

/// <summary>
/// The outcome taxonomy, kept distinct end to end (probes, storage, metrics, breakers).
/// Numeric values are stored in Postgres: append only, never renumber.
/// </summary>
public enum ProbeOutcome : short
{
    Success = 0,

    /// <summary>Answered correctly but over the target's latency objective.</summary>
    Slow = 1,

    /// <summary>529 / overloaded_error.</summary>
    Overloaded = 2,

    /// <summary>429 with retry-after: the provider is pacing us.</summary>
    RateLimited = 3,

    /// <summary>A spend-cap or billing 429: a quota signal, not an outage.</summary>
    QuotaExceeded = 4,

    /// <summary>5xx other than 529.</summary>
    ServerError = 5,

    /// <summary>No complete answer within the probe timeout.</summary>
    Timeout = 6,

    /// <summary>TCP/TLS/DNS failure: nothing answered.</summary>
    ConnectFailure = 7,

    /// <summary>401/403: misconfiguration or a dead auth layer; alert loudly.</summary>
    AuthFailure = 8,

    /// <summary>400/404/422: the probe itself is misconfigured (model name, parameters).</summary>
    BadRequest = 9,

    /// <summary>200 and a stream that then carried an error event or broke off.</summary>
    StreamError = 10,

    /// <summary>A 2xx whose body is not the provider's wire format.</summary>
    MalformedResponse = 11,
}

public static class ProbeOutcomes
{
    public static IReadOnlyList<ProbeOutcome> All { get; } = Enum.GetValues<ProbeOutcome>();

    /// <summary>Stable snake_case name (the wire names of <see cref="Outcomes"/>) used in metrics, the API and messages.</summary>
    public static string ToWireName(this ProbeOutcome outcome) => outcome switch
    {
        ProbeOutcome.Success => Outcomes.Success,
        ProbeOutcome.Slow => Outcomes.Slow,
        ProbeOutcome.Overloaded => Outcomes.Overloaded,
        ProbeOutcome.RateLimited => Outcomes.RateLimited,
        ProbeOutcome.QuotaExceeded => Outcomes.QuotaExceeded,
        ProbeOutcome.ServerError => Outcomes.ServerError,
        ProbeOutcome.Timeout => Outcomes.Timeout,
        ProbeOutcome.ConnectFailure => Outcomes.ConnectFailure,
        ProbeOutcome.AuthFailure => Outcomes.AuthFailure,
        ProbeOutcome.BadRequest => Outcomes.BadRequest,
        ProbeOutcome.StreamError => Outcomes.StreamError,
        ProbeOutcome.MalformedResponse => Outcomes.MalformedResponse,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };

    /// <summary>Parses a wire name (as gateways send them in traffic reports); false for names this version does not know.</summary>
    public static bool TryParseWireName(string? name, out ProbeOutcome outcome)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.Ordinal))
            {
                outcome = candidate;
                return true;
            }
        }

        outcome = default;
        return false;
    }

    /// <summary>The provider answered usefully (slow still answers).</summary>
    public static bool IsAvailable(this ProbeOutcome outcome) => outcome is ProbeOutcome.Success or ProbeOutcome.Slow;
}
