using System.Collections.Frozen;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Health;

public static class OutcomeSets
{
    /// <summary>
    /// Outcomes that mean "this target is not serving": the breaker's default failure set.
    /// RateLimited is absent on purpose (the provider is pacing us, not down); BadRequest and QuotaExceeded
    /// are never outage evidence.
    /// </summary>
    public static IReadOnlySet<ProbeOutcome> DefaultFailures { get; } = new[]
    {
        ProbeOutcome.Overloaded,
        ProbeOutcome.ServerError,
        ProbeOutcome.Timeout,
        ProbeOutcome.ConnectFailure,
        ProbeOutcome.StreamError,
        ProbeOutcome.MalformedResponse,
        ProbeOutcome.AuthFailure,
    }.ToFrozenSet();
}
