using System.Text.Json.Serialization;

namespace ControlPlane.Contracts;

/// <summary>
/// Per-target outcomes observed by a gateway over a short window (passive health), published to
/// <see cref="Exchanges.TrafficReports"/>.
/// </summary>
public sealed record TrafficReport
{
    /// <summary>Id of the reporting gateway instance.</summary>
    public required string ReporterId { get; init; }

    /// <summary>Start of the observation window (inclusive).</summary>
    public required DateTimeOffset WindowStart { get; init; }

    /// <summary>End of the observation window (exclusive).</summary>
    public required DateTimeOffset WindowEnd { get; init; }

    /// <summary>One entry per target that saw traffic.</summary>
    public required IReadOnlyList<TargetTraffic> Targets { get; init; }
}

/// <summary>Outcomes and latency of one target over a report window.</summary>
public sealed record TargetTraffic
{
    /// <summary>Target id.</summary>
    public required string Target { get; init; }

    /// <summary>Count per outcome; keys are the wire names in <see cref="Outcomes"/>.</summary>
    public required IReadOnlyDictionary<string, int> Outcomes { get; init; }

    /// <summary>Median latency in milliseconds, if measured.</summary>
    public double? LatencyP50Ms { get; init; }

    /// <summary>95th percentile latency in milliseconds, if measured.</summary>
    public double? LatencyP95Ms { get; init; }

    /// <summary>
    /// Until when the target asked not to be sent requests: a 429 with <c>retry-after</c> or <c>retry-after-ms</c>
    /// (not a spend cap) seen in the window, as an instant on the reporter's clock. The control plane makes the target
    /// not eligible until then, for every subscriber (bounded: absurd hints are ignored, long ones capped at 5 minutes).
    /// Omitted when there was none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RetryAfterUntil { get; init; }
}
