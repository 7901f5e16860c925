using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Breakers;

/// <param name="FastDivisor">While Open, HalfOpen or suspect, probe this many times as often…</param>
/// <param name="FastMinimum">…but never more often than this.</param>
/// <param name="CoveredMultiplier">When passive traffic already covers the target, probe this many times less often.</param>
/// <param name="CoveredMinimumObservations">Passive observations in the window that count as "covered".</param>
public sealed record ProbeCadenceSettings(
    double FastDivisor = 4,
    TimeSpan? FastMinimum = null,
    double CoveredMultiplier = 3,
    int CoveredMinimumObservations = 10)
{
    public static ProbeCadenceSettings Default { get; } = new();

    public TimeSpan EffectiveFastMinimum => FastMinimum ?? TimeSpan.FromSeconds(1);
}

/// <summary>
/// Probing costs money, so the interval adapts: faster when the answer matters (a failure to confirm, a break
/// to end, a trial to finish), slower when real traffic already tells us how the target is doing.
/// </summary>
public static class ProbeCadence
{
    public static TimeSpan IntervalFor(
        BreakerState state, ProbeSettings probe, ProbeCadenceSettings? settings = null, int passiveObservations = 0)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(probe);
        settings ??= ProbeCadenceSettings.Default;
        var interval = probe.Interval;

        if (state.State is CircuitState.Open or CircuitState.HalfOpen || state.Suspect)
        {
            var fast = interval / Math.Max(1, settings.FastDivisor);
            var floor = settings.EffectiveFastMinimum;
            return fast < floor ? (floor < interval ? floor : interval) : fast;
        }

        return passiveObservations >= settings.CoveredMinimumObservations
            ? interval * Math.Max(1, settings.CoveredMultiplier)
            : interval;
    }

    /// <summary>
    /// The timeout a probe gets at its current interval: never longer than the interval. A probe never overlaps the
    /// previous one, so while a suspect target is probed faster, a hung provider must also time out faster, or three
    /// full-length timeouts in a row would put detection well past two probe intervals.
    /// </summary>
    public static TimeSpan EffectiveTimeout(ProbeSettings probe, TimeSpan currentInterval)
    {
        ArgumentNullException.ThrowIfNull(probe);
        return currentInterval > TimeSpan.Zero && currentInterval < probe.Timeout ? currentInterval : probe.Timeout;
    }
}
