using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Health;

/// <summary>
/// A gateway's traffic report for one target over a short interval (typically one second): how many requests
/// ended in each outcome, and a representative latency (e.g. the median) of the requests that were answered.
/// </summary>
public sealed record PassiveObservation(
    TargetId Target,
    DateTimeOffset ObservedAt,
    IReadOnlyDictionary<ProbeOutcome, int> Counts,
    TimeSpan? Latency = null,
    TimeSpan? TimeToFirstToken = null);
