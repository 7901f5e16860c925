namespace ControlPlane.Contracts;

/// <summary>RabbitMQ exchanges of the distribution protocol; all are durable fanout exchanges.</summary>
public static class Exchanges
{
    /// <summary>Where the control plane publishes <see cref="RoutingTableChanged"/>.</summary>
    public const string RoutingTable = "controlplane.routing-table";

    /// <summary>Where subscribers publish <see cref="Contracts.SubscriberStatus"/>.</summary>
    public const string SubscriberStatus = "controlplane.subscriber-status";

    /// <summary>Where gateways publish <see cref="TrafficReport"/>.</summary>
    public const string TrafficReports = "controlplane.traffic-reports";
}

/// <summary>Values of the AMQP <c>type</c> property, one per message.</summary>
public static class MessageTypes
{
    /// <summary>Type of <see cref="Contracts.RoutingTableChanged"/>.</summary>
    public const string RoutingTableChanged = nameof(Contracts.RoutingTableChanged);

    /// <summary>Type of <see cref="Contracts.SubscriberStatus"/>.</summary>
    public const string SubscriberStatus = nameof(Contracts.SubscriberStatus);

    /// <summary>Type of <see cref="Contracts.TrafficReport"/>.</summary>
    public const string TrafficReport = nameof(Contracts.TrafficReport);

    /// <summary>Content type of every message: raw JSON, no envelope.</summary>
    public const string ContentType = "application/json";
}

/// <summary>Values of <see cref="RouteEntry.PanicPolicy"/>.</summary>
public static class PanicPolicies
{
    /// <summary>Send everything to the least-bad target.</summary>
    public const string FailOpen = "fail-open";

    /// <summary>Send nothing.</summary>
    public const string FailClosed = "fail-closed";
}

/// <summary>Values of <see cref="TargetEntry.State"/>.</summary>
public static class TargetStates
{
    /// <summary>Healthy.</summary>
    public const string Closed = "closed";

    /// <summary>Over its latency objective: lower weight, still eligible.</summary>
    public const string Degraded = "degraded";

    /// <summary>Failing: no traffic.</summary>
    public const string Open = "open";

    /// <summary>Trial probes under way.</summary>
    public const string HalfOpen = "half-open";
}

/// <summary>Well-known values of <see cref="SubscriberStatus.Kind"/>.</summary>
public static class SubscriberKinds
{
    /// <summary>A ControlPlane gateway.</summary>
    public const string Gateway = "gateway";

    /// <summary>An application using the client SDK.</summary>
    public const string Sdk = "sdk";
}

/// <summary>
/// Reasons a subscriber rejects a table (<see cref="RejectionInfo.Reason"/>): a closed set, so metrics may use them as
/// label values. A subscriber reports one of these, optionally followed by <c>": detail"</c>.
/// </summary>
public static class RejectionReasons
{
    /// <summary>Not JSON, not a valid <see cref="RoutingTableChanged"/>, or a signature that is not 64 bytes of base64 (empty included).</summary>
    public const string Malformed = "malformed";

    /// <summary>Larger than <see cref="ProtocolLimits.MaxMessageBytes"/>: refused before parsing.</summary>
    public const string TooLarge = "too-large";

    /// <summary>Signed with a key id the subscriber does not trust.</summary>
    public const string UnknownKeyId = "unknown-key-id";

    /// <summary>The signature does not match the content.</summary>
    public const string BadSignature = "bad-signature";

    /// <summary>
    /// Validly signed, same version as the table held, different content: two tables claim one version, so one of
    /// them was not issued by the control plane. Never silently ignored.
    /// </summary>
    public const string VersionConflict = "version-conflict";

    /// <summary>The label used for a reported reason outside this set (a subscriber of another implementation).</summary>
    public const string Other = "other";

    /// <summary>Every reason, in check order.</summary>
    public static IReadOnlyList<string> All { get; } = [TooLarge, Malformed, UnknownKeyId, BadSignature, VersionConflict];

    /// <summary>
    /// The closed label of a reported reason (<c>"bad-signature: detail"</c> → <c>bad-signature</c>); anything else is
    /// <see cref="Other"/>, so no free text (an attacker's key id, parser messages) ever becomes a metric label.
    /// </summary>
    public static string LabelOf(string? reason)
    {
        if (string.IsNullOrEmpty(reason))
        {
            return Other;
        }

        var colon = reason.IndexOf(':', StringComparison.Ordinal);
        var head = (colon < 0 ? reason : reason[..colon]).Trim();
        foreach (var known in All)
        {
            if (string.Equals(known, head, StringComparison.Ordinal))
            {
                return known;
            }
        }

        return Other;
    }
}

/// <summary>Limits of the distribution protocol.</summary>
public static class ProtocolLimits
{
    /// <summary>
    /// Largest routing-table message (AMQP body or snapshot HTTP body) in bytes: 1 MiB. Subscribers refuse anything
    /// larger before parsing it (<see cref="RejectionReasons.TooLarge"/>); the broker is configured to refuse it too.
    /// A table of 1,000 routes × 10 targets is about 400 KiB.
    /// </summary>
    public const int MaxMessageBytes = 1024 * 1024;
}

/// <summary>Wire names of probe and traffic outcomes (keys of <see cref="TargetTraffic.Outcomes"/>).</summary>
public static class Outcomes
{
    /// <summary>Answered within its latency objective.</summary>
    public const string Success = "success";

    /// <summary>Answered, over its latency objective.</summary>
    public const string Slow = "slow";

    /// <summary>529 / overloaded_error.</summary>
    public const string Overloaded = "overloaded";

    /// <summary>429.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>Spend cap or quota reached.</summary>
    public const string QuotaExceeded = "quota_exceeded";

    /// <summary>5xx.</summary>
    public const string ServerError = "server_error";

    /// <summary>No answer in time.</summary>
    public const string Timeout = "timeout";

    /// <summary>TCP/TLS connection failed.</summary>
    public const string ConnectFailure = "connect_failure";

    /// <summary>401/403.</summary>
    public const string AuthFailure = "auth_failure";

    /// <summary>400: the request was wrong.</summary>
    public const string BadRequest = "bad_request";

    /// <summary>200 then an error mid-stream.</summary>
    public const string StreamError = "stream_error";

    /// <summary>Unparseable answer.</summary>
    public const string MalformedResponse = "malformed_response";

    /// <summary>Every outcome wire name.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Success, Slow, Overloaded, RateLimited, QuotaExceeded, ServerError, Timeout, ConnectFailure, AuthFailure,
        BadRequest, StreamError, MalformedResponse,
    ];
}
