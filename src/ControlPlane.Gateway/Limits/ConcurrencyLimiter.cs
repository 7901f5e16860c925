using System.Collections.Concurrent;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Limits;

/// <summary>
/// Every target's <see cref="AdaptiveLimit"/> on this gateway, each behind its own lock, with the ceiling read from
/// the routing table in force. The forwarder takes a <see cref="ConcurrencyLease"/> before each attempt and gives it
/// back when the answer has been relayed.
/// </summary>
internal sealed class ConcurrencyLimiter(IRoutingTableSource table, IOptions<GatewayOptions> options, TimeProvider time)
{
    public const string AtLimitReason = "concurrency_limit";
    public const string CriticalReserveReason = "critical_reserve";

    private readonly ConcurrencyLimitOptions _options = options.Value.Limits;
    private readonly ConcurrentDictionary<string, AdaptiveLimit> _targets = new(StringComparer.Ordinal);
    private TargetView _view = TargetView.Empty;
    private TaskCompletionSource _releaseSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeSpan RetryAfter => _options.RetryAfter;

    /// <summary>A lease on one slot of the target, or null (and the rejection counted) when the target is at its limit.</summary>
    public ConcurrencyLease? TryAcquire(string target, bool critical)
    {
        var limit = _targets.GetOrAdd(target, _ => new AdaptiveLimit(_options, time.TimestampFrequency));
        var ceiling = Ceiling(target);
        SlotDecision admission;
        int current;
        int inFlight;
        lock (limit)
        {
            admission = _options.Enabled ? limit.TryAcquire(critical, ceiling) : Admit(limit);
            current = limit.Limit(ceiling);
            inFlight = limit.InFlight;
        }

        Publish(target, current, inFlight);
        if (admission == SlotDecision.Admitted)
        {
            return new ConcurrencyLease(this, target, limit, time.GetTimestamp());
        }

        LimitMetrics.Rejections.WithLabels(target, admission == SlotDecision.AtLimit ? AtLimitReason : CriticalReserveReason).Inc();
        return null;
    }

    internal void Sample(string target, AdaptiveLimit limit, long startedAt, TimeSpan? latency, bool overloaded, bool stream)
    {
        var ceiling = Ceiling(target);
        int current;
        lock (limit)
        {
            limit.Sample(startedAt, time.GetTimestamp(), latency, overloaded, stream, ceiling);
            current = limit.Limit(ceiling);
        }

        LimitMetrics.Limit.WithLabels(target).Set(current);
    }

    /// <summary>Completes when some slot is given back (a request that found every target full may try again then).</summary>
    public Task NextRelease => Volatile.Read(ref _releaseSignal).Task;

    internal void Release(string target, AdaptiveLimit limit)
    {
        int inFlight;
        lock (limit)
        {
            limit.Release();
            inFlight = limit.InFlight;
        }

        LimitMetrics.InFlight.WithLabels(target).Set(inFlight);
        Interlocked.Exchange(ref _releaseSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    // With limits off the count still runs: the in-flight gauge is what shows an overload building up.
    private static SlotDecision Admit(AdaptiveLimit limit)
    {
        limit.Enter();
        return SlotDecision.Admitted;
    }

    private static void Publish(string target, int limit, int inFlight)
    {
        LimitMetrics.Limit.WithLabels(target).Set(limit);
        LimitMetrics.InFlight.WithLabels(target).Set(inFlight);
    }

    private double Ceiling(string target)
    {
        var view = _view;
        var current = table.Current;
        if (current is not null && current.Version != view.Version)
        {
            // Rebuilt once per table version, not per request; a lost race only rebuilds it twice.
            view = TargetView.Of(current);
            _view = view;
        }

        view.Targets.TryGetValue(target, out var entry);
        return LimitCeiling.Of(_options, entry?.State, entry?.SlowStart, time.GetUtcNow(), entry?.MaxConcurrency, view.Gateways);
    }

    /// <summary>The table's word on each target (a target listed under several routes has one state).</summary>
    private sealed record TargetView(long Version, Dictionary<string, TargetEntry> Targets, int Gateways = 1)
    {
        public static readonly TargetView Empty = new(long.MinValue, []);

        public static TargetView Of(RoutingTableChanged changed)
        {
            var targets = new Dictionary<string, TargetEntry>(StringComparer.Ordinal);
            foreach (var entry in changed.Table.Routes.SelectMany(r => r.Tiers).SelectMany(t => t.Targets))
            {
                targets.TryAdd(entry.Target, entry);
            }

            return new TargetView(changed.Version, targets, changed.Table.ReportingGateways ?? 1);
        }
    }
}

/// <summary>One admitted attempt's slot on a target: fed the attempt's result, given back when the answer is relayed.</summary>
internal sealed class ConcurrencyLease(ConcurrencyLimiter limiter, string target, AdaptiveLimit limit, long startedAt) : IDisposable
{
    private int _released;

    /// <summary>Teaches the limit what the attempt showed about the target's load.</summary>
    public void Observe(AttemptResult result, bool stream)
    {
        switch (result.Kind)
        {
            case AttemptKind.Failed:
                var overloaded = result.Outcome is Outcomes.RateLimited or Outcomes.Overloaded or Outcomes.Timeout;
                limiter.Sample(target, limit, startedAt, overloaded ? null : result.HeadersLatency, overloaded, stream);
                break;
            case AttemptKind.Answered:
                limiter.Sample(target, limit, startedAt, result.HeadersLatency, overloaded: false, stream);
                break;
            default:
                break; // the client left, or the request was invalid: nothing about the target's load
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            limiter.Release(target, limit);
        }
    }
}
