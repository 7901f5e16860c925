using System.Collections.Concurrent;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// A last line of defence for when the control plane has gone quiet: consecutive failures of a target make the
/// gateway skip it for a cooldown. It always counts, but the forwarder consults it only while the table is staler
/// than <see cref="LocalBreakerOptions.StaleAfter"/>: with a fresh table the control plane's fleet-wide breakers,
/// which see probes and every gateway's traffic, decide.
/// </summary>
internal sealed class LocalBreaker(IOptions<GatewayOptions> options, TimeProvider time)
{
    private readonly LocalBreakerOptions _options = options.Value.LocalBreaker;
    private readonly ConcurrentDictionary<string, TargetState> _targets = new(StringComparer.Ordinal);

    public void RecordSuccess(string target)
    {
        if (_targets.TryGetValue(target, out var state))
        {
            lock (state)
            {
                state.ConsecutiveFailures = 0;
                state.OpenUntil = 0;
            }
        }
    }

    public void RecordFailure(string target)
    {
        var state = _targets.GetOrAdd(target, static _ => new TargetState());
        lock (state)
        {
            state.ConsecutiveFailures++;
            if (state.ConsecutiveFailures >= _options.ConsecutiveFailures)
            {
                state.OpenUntil = time.GetTimestamp() + (long)(_options.Cooldown.TotalSeconds * time.TimestampFrequency);
            }
        }
    }

    /// <summary>True while the target is cooling down; after the cooldown one more failure re-opens it.</summary>
    public bool IsOpen(string target)
    {
        if (!_targets.TryGetValue(target, out var state))
        {
            return false;
        }

        lock (state)
        {
            if (state.OpenUntil == 0)
            {
                return false;
            }

            if (time.GetTimestamp() < state.OpenUntil)
            {
                return true;
            }

            // Half-open: let traffic through; the next failure trips it again at once.
            state.OpenUntil = 0;
            state.ConsecutiveFailures = _options.ConsecutiveFailures - 1;
            return false;
        }
    }

    private sealed class TargetState
    {
        public int ConsecutiveFailures;
        public long OpenUntil;
    }
}
