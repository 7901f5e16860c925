using System.Collections.Concurrent;
using ControlPlane.Contracts.Providers;
using Prometheus;

namespace ControlPlane.Gateway.Degradation;

/// <summary>
/// Fleet-wide Retry-After, the local half (issue #15): a target that answered 429 with a retry hint is skipped by this
/// gateway at once until the hint runs out (bounded by <see cref="RetryAfter.PauseFor"/>), while the traffic report
/// carries the hint to the control plane, which pauses the target for every gateway through the table.
/// </summary>
internal sealed class RetryAfterPause(TimeProvider time)
{
    public static readonly Counter Paused = Metrics.CreateCounter(
        "gateway_retry_after_pauses_total", "Retry hints (429 with retry-after / retry-after-ms) that paused a target on this gateway, by target.", "target");

    public static readonly Counter Skips = Metrics.CreateCounter(
        "gateway_retry_after_skips_total", "Targets not tried because a retry hint paused them, by target.", "target");

    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    /// <summary>Pauses the target for the hint; returns when the pause ends, or null when the hint pauses nothing.</summary>
    public DateTimeOffset? Pause(string target, TimeSpan hint)
    {
        if (RetryAfter.PauseFor(hint) is not { } pause)
        {
            return null;
        }

        var until = time.GetUtcNow() + pause;
        _until.AddOrUpdate(target, until, (_, current) => current > until ? current : until);
        Paused.WithLabels(target).Inc();
        return until;
    }

    /// <summary>True while the target is paused.</summary>
    public bool IsPaused(string target)
    {
        if (!_until.TryGetValue(target, out var until))
        {
            return false;
        }

        if (until > time.GetUtcNow())
        {
            return true;
        }

        _until.TryRemove(new KeyValuePair<string, DateTimeOffset>(target, until));
        return false;
    }
}
