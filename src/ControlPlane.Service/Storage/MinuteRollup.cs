using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Storage;

/// <summary>One target's probe results in one UTC minute [BucketStart, BucketStart + 1 min).</summary>
/// <param name="Counts">Samples per outcome; every outcome is present (zero when none).</param>
/// <param name="LatencyP50">Continuous (interpolated) percentiles of total latency.</param>
/// <param name="TimeToFirstTokenP50">Null when no sample in the minute measured time to first token.</param>
public sealed record MinuteRollup(
    TargetId Target,
    string ProviderId,
    string Model,
    DateTimeOffset BucketStart,
    int Total,
    IReadOnlyDictionary<ProbeOutcome, int> Counts,
    TimeSpan? LatencyP50,
    TimeSpan? LatencyP95,
    TimeSpan? LatencyP99,
    TimeSpan? TimeToFirstTokenP50,
    TimeSpan? TimeToFirstTokenP95)
{
    /// <summary>Samples where the provider answered usefully (success or slow).</summary>
    public int Available => Counts.Where(c => c.Key.IsAvailable()).Sum(c => c.Value);
}
