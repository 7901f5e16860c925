using ControlPlane.Contracts;

namespace ControlPlane.Gateway.Limits;

/// <summary>
/// The most a target's adaptive limit may reach, from what the control plane says of the target: the configured
/// maximum — or this gateway's share of the catalog's fleet-wide ceiling, <c>ceil(maxConcurrency / gateways)</c>, when
/// that is lower — less while it is degraded or half-open, less again along its slow-start ramp (the same ramp that
/// scales its weight), so a recovering target is not handed a full burst at once.
/// </summary>
internal static class LimitCeiling
{
    /// <param name="fleetMax">The table's fleet-wide ceiling for the target; null when it has none.</param>
    /// <param name="gateways">The gateways the table says share it (at least 1).</param>
    public static double Of(
        ConcurrencyLimitOptions options, string? state, SlowStartEntry? slowStart, DateTimeOffset now, int? fleetMax = null, int gateways = 1)
    {
        var ceiling = (double)options.MaxConcurrency;
        if (fleetMax is { } max)
        {
            ceiling = Math.Min(ceiling, Math.Ceiling((double)max / Math.Max(1, gateways)));
        }

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
