using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Breakers;

/// <param name="FastDivisor">While HalfOpen or suspect, probe this many times as often…</param>
/// <param name="FastMinimum">…but never more often than this.</param>
/// <param name="CoveredMultiplier">When passive traffic already covers the target, probe this many times less often.</param>
/// <param name="CoveredMinimumObservations">
/// Gateway requests over the last <see cref="EffectiveCoverageHorizon"/> that count as "covered".
/// </param>
/// <param name="SuppressWhenCovered">
/// While covered, probe with the free list-models call instead of an inference request: traffic already says whether
/// the model answers, the probe need only say the provider is there. Off: covered targets get slower inference probes.
/// </param>
/// <param name="CoverageHorizon">How far back coverage looks; short, so probing returns soon after traffic thins.</param>
/// <param name="CoveredExitObservations">
/// A covered target stays covered until its requests over the horizon fall below this (hysteresis: traffic hovering
/// at the threshold must not flip inference probing on and off).
/// </param>
public sealed record ProbeCadenceSettings(
    double FastDivisor = 4,
    TimeSpan? FastMinimum = null,
    double CoveredMultiplier = 3,
    int CoveredMinimumObservations = 10,
    bool SuppressWhenCovered = true,
    TimeSpan? CoverageHorizon = null,
    int CoveredExitObservations = 5)
{
    public static ProbeCadenceSettings Default { get; } = new();

    public TimeSpan EffectiveFastMinimum => FastMinimum ?? TimeSpan.FromSeconds(1);

    public TimeSpan EffectiveCoverageHorizon => CoverageHorizon ?? TimeSpan.FromSeconds(10);
}

/// <summary>How a target is to be probed now.</summary>
/// <param name="Urgent">Suspect or HalfOpen: the answer matters now (served first under a probe budget).</param>
/// <param name="Suppressed">Gateway traffic covers the target: inference probes give way to a liveness probe.</param>
public readonly record struct ProbeCadenceDecision(TimeSpan Interval, ProbeMode Mode, bool Urgent = false, bool Suppressed = false);

/// <summary>
/// Probing costs money, so the interval adapts: faster when the answer matters (a failure to confirm, a break
/// to end, a trial to finish), slower when real traffic already tells us how the target is doing.
/// </summary>
public static class ProbeCadence
{
    public static TimeSpan IntervalFor(
        BreakerState state, ProbeSettings probe, ProbeCadenceSettings? settings = null, int passiveObservations = 0) =>
        Decide(state, probe, settings, passiveObservations).Interval;

    /// <param name="passiveObservations">Gateway requests reported for the target over the coverage horizon.</param>
    /// <param name="wasCovered">The target was covered at the last decision (the lower exit threshold applies).</param>
    public static ProbeCadenceDecision Decide(
        BreakerState state, ProbeSettings probe, ProbeCadenceSettings? settings = null, int passiveObservations = 0, bool wasCovered = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(probe);
        settings ??= ProbeCadenceSettings.Default;
        var interval = probe.Interval;

        if (IsUrgent(state))
        {
            // No traffic reaches a trial target, and a suspect one needs the real request answered.
            var fast = interval / Math.Max(1, settings.FastDivisor);
            var floor = settings.EffectiveFastMinimum;
            return new(fast < floor ? (floor < interval ? floor : interval) : fast, probe.Mode, Urgent: true);
        }

        // An Open target is probed at its catalog interval: nothing it answers before the break ends can change its
        // state (the trial judges only its own probes), and the evaluation that ends the break makes it urgent at once.
        var threshold = wasCovered ? Math.Min(settings.CoveredExitObservations, settings.CoveredMinimumObservations) : settings.CoveredMinimumObservations;
        if (state.State == CircuitState.Open || passiveObservations < threshold)
        {
            return new(interval, probe.Mode);
        }

        var covered = interval * Math.Max(1, settings.CoveredMultiplier);
        return settings.SuppressWhenCovered
            ? new(covered, ProbeMode.Models, Suppressed: true)
            : new(covered, probe.Mode);
    }

    /// <summary>HalfOpen or suspect: a trial to finish or a failure to confirm. Served first under a probe budget.</summary>
    public static bool IsUrgent(BreakerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.State == CircuitState.HalfOpen || state.State != CircuitState.Open && state.Suspect;
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
