namespace ControlPlane.Contracts;

/// <summary>
/// The slow-start rule, in the one place every side uses it: the control plane's breaker (to report and meter its
/// current multiplier) and every subscriber (to route by the current weight). docs/protocol.md states it for other
/// languages.
/// </summary>
/// <remarks>
/// <para>With <c>elapsed = now − startedAt</c> in milliseconds on the caller's own clock:
/// <c>step = floor(clamp(elapsed, 0, durationMs) × steps / durationMs)</c>, and the factor is 1 once
/// <c>elapsed ≥ durationMs</c>, else <c>floor + (1 − floor) × step / steps</c> with <c>floor = floorMilli / 1000</c>.
/// A clock behind the control plane's holds the floor until it catches up (progress is clamped at 0); one ahead
/// ends the ramp early (clamped at 1). Either way the weight stays between the floor share and the full weight.</para>
/// <para>Stepped rather than continuous so that routing moves a handful of times per ramp, as it always has.</para>
/// </remarks>
public static class SlowStartRamp
{
    /// <summary>The factor (floor share to 1) to multiply the full weight by at <paramref name="now"/>; 1 without a ramp.</summary>
    public static double Factor(SlowStartEntry? ramp, DateTimeOffset now)
    {
        if (ramp is null || ramp.DurationMs <= 0)
        {
            return 1;
        }

        var elapsedMs = (now - ramp.StartedAt).TotalMilliseconds;
        if (elapsedMs >= ramp.DurationMs)
        {
            return 1;
        }

        var steps = Math.Max(1, ramp.Steps);
        // Multiply before dividing: step boundaries land exactly (6 000 ms of 60 000 in 10 steps is step 1, not 0.99…).
        var step = Math.Floor(Math.Max(0, elapsedMs) * steps / ramp.DurationMs);
        var floor = Math.Clamp(ramp.FloorMilli, 0, 1000) / 1000.0;
        return floor + ((1 - floor) * (step / steps));
    }

    /// <summary>
    /// The weight to route by at <paramref name="now"/>: <paramref name="fullWeight"/> × <see cref="Factor"/>, rounded
    /// half away from zero, at least 1 — a ramping target is eligible from its first instant. 0 stays 0 (not eligible).
    /// </summary>
    public static int Weight(int fullWeight, SlowStartEntry? ramp, DateTimeOffset now)
    {
        if (fullWeight <= 0 || ramp is null)
        {
            return Math.Max(0, fullWeight);
        }

        return Math.Max(1, (int)Math.Round(fullWeight * Factor(ramp, now), MidpointRounding.AwayFromZero));
    }

    /// <summary>When the ramp reaches the full weight.</summary>
    public static DateTimeOffset EndsAt(SlowStartEntry ramp)
    {
        ArgumentNullException.ThrowIfNull(ramp);
        return ramp.StartedAt.AddMilliseconds(Math.Max(0, ramp.DurationMs));
    }

    /// <summary>
    /// True when there is no ramp or it has ended by <paramref name="now"/>: the full weight applies, exactly as if the
    /// table had no ramp at all.
    /// </summary>
    public static bool IsOver(SlowStartEntry? ramp, DateTimeOffset now) => ramp is null || ramp.DurationMs <= 0 || now >= EndsAt(ramp);

    /// <summary>The ramp of a breaker that closed at <paramref name="startedAt"/>, in wire units (milliseconds, thousandths).</summary>
    public static SlowStartEntry Create(DateTimeOffset startedAt, TimeSpan duration, double floor, int steps) => new()
    {
        StartedAt = startedAt,
        DurationMs = Math.Max(0, (long)duration.TotalMilliseconds),
        FloorMilli = (int)Math.Round(Math.Clamp(floor, 0, 1) * 1000, MidpointRounding.AwayFromZero),
        Steps = Math.Max(1, steps),
    };
}
