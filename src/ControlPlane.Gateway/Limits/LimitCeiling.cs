using ControlPlane.Contracts;

namespace ControlPlane.Gateway.Limits;

/// <summary>
/// The most a target's adaptive limit may reach, from what the control plane says of the target: the configured
/// maximum, less while it is degraded or half-open, less again along its slow-start ramp (the same ramp that scales
/// its weight), so a recovering target is not handed a full burst at once.
/// </summary>
internal static class LimitCeiling
{
    public static double Of(ConcurrencyLimitOptions options, string? state, SlowStartEntry? slowStart, DateTimeOffset now)
    {
        var ceiling = (double)options.MaxConcurrency;
        if (state is TargetStates.Degraded or TargetStates.HalfOpen)
        {
            ceiling *= options.DegradedShare;
        }

        if (slowStart is not null)
        {
            ceiling *= SlowStartRamp.Factor(slowStart, now);
        }

        return Math.Max(options.MinLimit, ceiling);
    }
}
