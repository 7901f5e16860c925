using System.Globalization;
using ControlPlane.Contracts;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Breakers;

/// <summary>
/// The per-target breaker as a pure function: (state, window statistics, settings, objective, now) → next state.
/// </summary>
/// <remarks>
/// <para>Closed/Degraded → Open when the trailing run of counted failures reaches the threshold, or the failure
/// ratio reaches its threshold over at least the minimum number of observations. Slowness alone never opens.</para>
/// <para>Open → HalfOpen when the break is over (time only). HalfOpen → Closed after N answered trial
/// observations; any counted failure during the trial reopens with the next, longer break.</para>
/// <para>The window is never cleared. Instead <see cref="BreakerState.EvidenceSince"/> marks where the current
/// evidence starts: streaks and the trial read only history entries after it (exact), and the caller asks the
/// window for a snapshot since it (bucket granularity) — the <see cref="Evaluate(BreakerState, TargetWindow, BreakerSettings, TimeSpan, DateTimeOffset)"/>
/// overload does that.</para>
/// </remarks>
public static class BreakerStateMachine
{
    public static BreakerEvaluation Evaluate(
        BreakerState state, TargetWindow window, BreakerSettings settings, TimeSpan latencyObjective, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(window);
        return Evaluate(state, window.Snapshot(now, state.EvidenceSince), settings, latencyObjective, now);
    }

    public static BreakerEvaluation Evaluate(
        BreakerState state, WindowStats stats, BreakerSettings settings, TimeSpan latencyObjective, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(settings);

        var failures = settings.CountedFailures();
        var (next, reason) = state.State switch
        {
            CircuitState.Open => FromOpen(state, now),
            CircuitState.HalfOpen => FromHalfOpen(state, stats, settings, failures, now),
            _ => FromClosedOrDegraded(state, stats, settings, failures, latencyObjective, now),
        };

        var ramp = SlowStart(next, settings);
        if (ramp is not null && SlowStartRamp.IsOver(ramp, now))
        {
            next = next with { SlowStartStartedAt = null };
            ramp = null;
        }

        var transition = next.State != state.State
            ? new BreakerTransition(stats.Target, state.State, next.State, now, reason!, stats)
            : null;

        next = UnprovenRule.Prove(next, stats);
        var unproven = UnprovenRule.IsUnproven(next, stats, settings.ConsecutiveFailureThreshold);
        var signals = SignalsFrom(stats);
        return new BreakerEvaluation(
            next,
            transition,
            WeightMultiplier(next, settings, now),
            stats.FailureRatio(failures),
            UnprovenRule.Signals(next, stats, signals, unproven),
            stats)
        {
            DecidedMultiplier = DecidedMultiplier(next, settings),
            SlowStart = ramp,
            Unproven = unproven,
        };
    }

    /// <summary>The routing weight factor for a state at an instant (see <see cref="BreakerEvaluation.WeightMultiplier"/>).</summary>
    public static double WeightMultiplier(BreakerState state, BreakerSettings settings, DateTimeOffset now) =>
        DecidedMultiplier(state, settings) * SlowStartRamp.Factor(SlowStart(state, settings), now);

    /// <summary>
    /// The multiplier without the slow-start ramp (see <see cref="BreakerEvaluation.DecidedMultiplier"/>): 0 while Open
    /// or HalfOpen, the degraded factor while Degraded, else 1.
    /// </summary>
    public static double DecidedMultiplier(BreakerState state, BreakerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        return state.State switch
        {
            CircuitState.Open or CircuitState.HalfOpen => 0,
            CircuitState.Degraded => settings.DegradedWeightFactor,
            _ => 1,
        };
    }

    /// <summary>
    /// The state's slow-start ramp in wire form, the same data the routing table publishes, so the breaker's own
    /// multiplier and every subscriber's weight come from one rule (<see cref="SlowStartRamp"/>); null without one.
    /// </summary>
    public static SlowStartEntry? SlowStart(BreakerState state, BreakerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        return state.SlowStartStartedAt is { } startedAt && state.State is CircuitState.Closed or CircuitState.Degraded
            ? SlowStartRamp.Create(startedAt, settings.SlowStartDuration, settings.SlowStartFloor, settings.SlowStartSteps)
            : null;
    }

    private static (BreakerState, string?) FromOpen(BreakerState state, DateTimeOffset now)
    {
        if (state.OpenUntil is { } until && now < until)
        {
            return (state, null);
        }

        return (state with
        {
            State = CircuitState.HalfOpen,
            Since = now,
            OpenUntil = null,
            HalfOpenSuccesses = 0,
            EvidenceSince = now,
        }, "break duration elapsed; trial probes start");
    }

    private static (BreakerState, string?) FromHalfOpen(
        BreakerState state, WindowStats stats, BreakerSettings settings, IReadOnlySet<ProbeOutcome> failures, DateTimeOffset now)
    {
        var trialStart = state.EvidenceSince ?? state.Since;
        if (stats.FailureAfter(trialStart, failures) is { } failure)
        {
            return Trip(state, settings, now, $"{failure.ToWireName()} during half-open trial");
        }

        var successes = stats.ConsecutiveSuccesses(failures, trialStart);
        if (successes >= settings.HalfOpenSuccessThreshold)
        {
            return (state with
            {
                State = CircuitState.Closed,
                Since = now,
                HalfOpenSuccesses = 0,
                SlowStartStartedAt = now,
                EvidenceSince = now,
                ClosedSince = now,
                Suspect = false,
            }, $"{Format(successes)} successful trial probes; slow start");
        }

        return (state with { HalfOpenSuccesses = successes }, null);
    }

    private static (BreakerState, string?) FromClosedOrDegraded(
        BreakerState state,
        WindowStats stats,
        BreakerSettings settings,
        IReadOnlySet<ProbeOutcome> failures,
        TimeSpan objective,
        DateTimeOffset now)
    {
        if (state.TripCount > 0 && state.ClosedSince is { } closedSince && now - closedSince >= settings.TripCountResetAfter)
        {
            state = state with { TripCount = 0 };
        }

        var after = state.EvidenceSince;
        var streak = stats.ConsecutiveFailures(failures, after);
        if (streak >= settings.ConsecutiveFailureThreshold)
        {
            return Trip(state, settings, now, StreakReason(streak, stats.TrailingFailureOutcomes(failures, after)));
        }

        var evaluated = stats.EvaluatedCount(failures);
        var ratio = stats.FailureRatio(failures);
        if (evaluated >= settings.MinimumSamples && ratio >= settings.FailureRatioThreshold)
        {
            return Trip(state, settings, now, RatioReason(ratio, evaluated, settings, stats, failures));
        }

        // Failures in the window call for faster probing only while there are too few observations to judge the
        // ratio; under traffic the window already holds plenty, and a lone error must not buy a minute of fast probes.
        state = state with { Suspect = streak > 0 || (stats.FailureCount(failures) > 0 && evaluated < settings.MinimumSamples) };
        return LatencyStep(state, stats, settings, objective, now);
    }

    private static (BreakerState, string?) LatencyStep(
        BreakerState state, WindowStats stats, BreakerSettings settings, TimeSpan objective, DateTimeOffset now)
    {
        if (objective <= TimeSpan.Zero || stats.LatencySamples < settings.MinimumLatencySamples || stats.LatencyP95 is not { } p95)
        {
            return (state, null);
        }

        if (state.State == CircuitState.Closed && p95 > objective)
        {
            return (state with { State = CircuitState.Degraded, Since = now },
                $"latency p95 {Ms(p95)} over objective {Ms(objective)}");
        }

        var exit = objective * settings.DegradedExitFactor;
        if (state.State == CircuitState.Degraded && p95 < exit && now - state.Since >= settings.DegradedMinDwell)
        {
            return (state with { State = CircuitState.Closed, Since = now },
                $"latency p95 {Ms(p95)} back under {Ms(exit)}");
        }

        return (state, null);
    }

    private static (BreakerState, string?) Trip(BreakerState state, BreakerSettings settings, DateTimeOffset now, string reason)
    {
        var trips = state.TripCount + 1;
        var breakFor = settings.BreakDurationFor(trips);
        return (state with
        {
            State = CircuitState.Open,
            Since = now,
            TripCount = trips,
            OpenUntil = now + breakFor,
            HalfOpenSuccesses = 0,
            SlowStartStartedAt = null,
            Suspect = false,
        }, $"{reason}; open for {breakFor.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (trip {trips})");
    }

    private static string StreakReason(double streak, IReadOnlyList<ProbeOutcome> outcomes)
    {
        var distinct = outcomes.Distinct().ToList();
        return distinct.Count == 1
            ? $"{Format(streak)} consecutive {distinct[0].ToWireName()}"
            : $"{Format(streak)} consecutive failures ({string.Join(", ", distinct.Select(o => o.ToWireName()))})";
    }

    private static string RatioReason(
        double ratio, double evaluated, BreakerSettings settings, WindowStats stats, IReadOnlySet<ProbeOutcome> failures)
    {
        var breakdown = failures
            .Where(o => stats.Count(o) > 0)
            .OrderByDescending(stats.Count)
            .ThenBy(o => o)
            .Select(o => $"{o.ToWireName()} {Format(stats.Count(o))}");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"failure ratio {ratio:0.00} ≥ {settings.FailureRatioThreshold:0.00} over {Format(evaluated)} observations ({string.Join(", ", breakdown)})");
    }

    private static IReadOnlyList<BreakerSignal> SignalsFrom(WindowStats stats)
    {
        var signals = new List<BreakerSignal>();
        if (stats.Count(ProbeOutcome.AuthFailure) is var auth and > 0)
        {
            signals.Add(new(BreakerSignalKind.Misconfiguration, $"{Format(auth)} auth failures (401/403): check the API key"));
        }

        if (stats.Count(ProbeOutcome.BadRequest) is var bad and > 0)
        {
            signals.Add(new(BreakerSignalKind.Misconfiguration, $"{Format(bad)} bad requests (400/404/422): check the probe's model and parameters"));
        }

        if (stats.Count(ProbeOutcome.QuotaExceeded) is var quota and > 0)
        {
            signals.Add(new(BreakerSignalKind.QuotaExhausted, $"{Format(quota)} quota or spend-cap rejections"));
        }

        return signals;
    }

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Ms(TimeSpan value) => value.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
}
