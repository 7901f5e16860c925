using ControlPlane.Contracts;
using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Traffic;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// The one place an attempt's outcome is written down: the gateway's metrics, the traffic report that feeds the
/// control plane's passive health, and the local breaker. Every stage reports here, so the three never disagree.
/// </summary>
internal sealed partial class AttemptRecorder(TrafficRecorder traffic, LocalBreaker breaker, RetryAfterPause pauses, ILogger<AttemptRecorder> logger)
{
    /// <summary>
    /// A rate-limited target sent a retry hint: this gateway skips it until then, and the traffic report tells the
    /// control plane, which pauses it for every gateway.
    /// </summary>
    public void RetryHint(string target, TimeSpan hint)
    {
        if (pauses.Pause(target, hint) is { } until)
        {
            traffic.RecordRetryAfter(target, until);
        }
    }

    /// <summary>The target failed before anything reached the client; the safety net moves on.</summary>
    public void Failed(string route, string target, string outcome, TimeSpan? latency, int attempt)
    {
        traffic.Record(target, outcome, outcome is Outcomes.Timeout or Outcomes.ConnectFailure ? null : latency);
        breaker.RecordFailure(target);
        GatewayMetrics.Attempts.WithLabels(route, target, outcome).Inc();
        LogAttemptFailed(logger, route, target, outcome, attempt);
    }

    /// <summary>The target said the request was invalid (4xx other than auth and rate limits): not the target's fault.</summary>
    public static void Rejected(string route, string target) =>
        GatewayMetrics.Attempts.WithLabels(route, target, ClientError).Inc();

    /// <summary>The target cannot express something the request needs, so it was not tried.</summary>
    public static void Skipped(string route, string target, string reason) =>
        GatewayMetrics.UntranslatableSkips.WithLabels(route, target, reason).Inc();

    /// <summary>The target answered and the answer was relayed (whole, or broken off mid-stream).</summary>
    public void Answered(string route, string target, TimeSpan headersLatency, bool brokeOff, bool stream)
    {
        var outcome = brokeOff ? Outcomes.StreamError : Outcomes.Success;
        if (brokeOff)
        {
            breaker.RecordFailure(target);
            LogStreamFailed(logger, route, target, stream);
        }
        else
        {
            breaker.RecordSuccess(target);
        }

        traffic.Record(target, outcome, headersLatency);
        GatewayMetrics.Attempts.WithLabels(route, target, outcome).Inc();
    }

    public static void Retried(string route, string outcome) => GatewayMetrics.Retries.WithLabels(route, outcome).Inc();

    /// <summary>The client request's final result.</summary>
    public static void Finished(string route, string api, string result) => GatewayMetrics.Requests.WithLabels(route, api, result).Inc();

    public void Exhausted(string route, int attempts, string lastOutcome) => LogExhausted(logger, route, attempts, lastOutcome);

    public const string ClientError = "client_error";

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Route {Route}: target {Target} failed before answering ({Outcome}), attempt {Attempt}")]
    private static partial void LogAttemptFailed(ILogger logger, string route, string target, string outcome, int attempt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Route {Route}: every target tried failed ({Attempts} attempts, last {Outcome})")]
    private static partial void LogExhausted(ILogger logger, string route, int attempts, string outcome);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Route {Route}: target {Target} failed mid-response (stream {Stream}); the client got an error event or a broken connection")]
    private static partial void LogStreamFailed(ILogger logger, string route, string target, bool stream);
}
