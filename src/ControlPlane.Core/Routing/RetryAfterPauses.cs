using System.Collections.Concurrent;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Routing;

/// <summary>
/// Fleet-wide Retry-After (issue #15): per target, the instant until which a provider asked to be left alone, as heard
/// from gateways' traffic reports and from probes. The routing table makes a paused target not eligible until then.
/// Every hint is bounded by <see cref="RetryAfter.PauseUntil"/> (absurd ones ignored, long ones capped), so no report
/// can park a target for long. Thread-safe; time comes from the caller.
/// </summary>
public sealed class RetryAfterPauses
{
    private readonly ConcurrentDictionary<TargetId, DateTimeOffset> _until = new();

    /// <summary>Records a hint that the target is paused until <paramref name="until"/>; true when it moved the pause's end later.</summary>
    public bool Record(TargetId target, DateTimeOffset until, DateTimeOffset now)
    {
        if (RetryAfter.PauseUntil(until, now) is not { } bounded)
        {
            return false;
        }

        while (true)
        {
            if (!_until.TryGetValue(target, out var current))
            {
                if (_until.TryAdd(target, bounded))
                {
                    return true;
                }

                continue;
            }

            if (current >= bounded)
            {
                return false;
            }

            if (_until.TryUpdate(target, bounded, current))
            {
                return true;
            }
        }
    }

    /// <summary>Targets paused at <paramref name="now"/>, with when each pause ends; ended pauses are forgotten.</summary>
    public IReadOnlyDictionary<TargetId, DateTimeOffset> ActiveAt(DateTimeOffset now)
    {
        var active = new Dictionary<TargetId, DateTimeOffset>();
        foreach (var (target, until) in _until)
        {
            if (until > now)
            {
                active[target] = until;
            }
            else
            {
                _until.TryRemove(new KeyValuePair<TargetId, DateTimeOffset>(target, until));
            }
        }

        return active;
    }
}
