namespace ControlPlane.Gateway.Translation;

/// <summary>What kind of error, in terms every API has a name for.</summary>
internal enum FaultKind
{
    InvalidRequest,
    Authentication,
    Permission,
    NotFound,
    RequestTooLarge,
    RateLimited,
    Overloaded,
    Server,
    Unavailable,
    Timeout,
}

/// <summary>
/// An error on its way to a client: its HTTP status, its kind and message, and (for OpenAI clients) a code. Every
/// ingress codec writes it in its API's own error shape, so an official SDK raises its usual typed error.
/// </summary>
internal sealed record ApiFault(int Status, FaultKind Kind, string Message, string? Code = null)
{
    /// <summary>Seconds for a <c>Retry-After</c> header (shed and held requests, saturated targets); null: none.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The usual kind for a status, when the body says nothing better.</summary>
    public static FaultKind KindOf(int status) => status switch
    {
        400 or 422 => FaultKind.InvalidRequest,
        401 => FaultKind.Authentication,
        403 => FaultKind.Permission,
        404 => FaultKind.NotFound,
        413 => FaultKind.RequestTooLarge,
        429 => FaultKind.RateLimited,
        529 => FaultKind.Overloaded,
        503 => FaultKind.Unavailable,
        408 or 504 => FaultKind.Timeout,
        _ => FaultKind.Server,
    };
}

/// <summary>The client's request is invalid in its own API: answered with a 400 in that API's shape, never retried.</summary>
internal sealed class InvalidRequestException(string message) : Exception(message);

/// <summary>
/// The request uses a feature the target's API cannot express faithfully. The target is skipped (not blamed) and
/// the safety net moves on to one that can serve it.
/// </summary>
internal sealed class NotTranslatableException(string feature, string message) : Exception(message)
{
    /// <summary>A short stable name of the feature, for the metric label and the warning header.</summary>
    public string Feature { get; } = feature;
}

/// <summary>A provider's 2xx answer does not parse as its API says it should.</summary>
internal sealed class MalformedResponseException(string message) : Exception(message);
