using System.Text.Json.Serialization;

namespace ControlPlane.Simulator;

/// Per-provider fault injection, settable over the chaos API or in-process.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChaosSettings
{
    public static ChaosSettings Healthy { get; } = new();

    public ChaosMode Mode { get; init; } = ChaosMode.Healthy;

    /// Fraction (0..1) of requests the mode applies to; the rest are answered normally.
    public double FailureRate { get; init; } = 1;

    /// Extra latency before every answer; for <see cref="ChaosMode.Slow"/> it is the latency of the affected
    /// requests and defaults to 3000.
    public int? LatencyMs { get; init; }

    /// Value of the retry-after header sent by <see cref="ChaosMode.RateLimited"/>.
    public int RetryAfterSeconds { get; init; } = 5;

    /// Reseeds this provider's random stream, so the same seed replays the same hit/miss sequence.
    public int? Seed { get; init; }

    /// Steps run in order from when the settings were applied; the last one holds forever.
    /// When present, the top-level mode must stay healthy (the steps say what happens).
    public IReadOnlyList<ChaosStep>? Schedule { get; init; }

    /// Requests the provider answers at full speed at once (needs <see cref="LatencyMs"/>, the service time). With
    /// more in flight, each answer takes latencyMs × inFlight / capacity: the provider shares its throughput, as an
    /// overloaded backend does. Null: no capacity model.
    public int? Capacity { get; init; }

    /// Requests that may wait beyond <see cref="Capacity"/>; one more is answered "overloaded" at once (Anthropic 529,
    /// the others 503). Null: the queue never overflows.
    public int? QueueLimit { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChaosStep
{
    public ChaosMode Mode { get; init; } = ChaosMode.Healthy;

    public double FailureRate { get; init; } = 1;

    public int? LatencyMs { get; init; }

    public int RetryAfterSeconds { get; init; } = 5;

    /// How long this step lasts; required for every step but the last.
    public double? DurationSeconds { get; init; }
}
