namespace ControlPlane.Contracts.Providers;

/// <summary>
/// The one status-and-body rule set that names the outcome (<see cref="Outcomes"/>) of a provider's non-2xx answer.
/// Probes and gateway attempts both call it, so the same answer counts the same on either path. Pure.
/// </summary>
public static partial class ErrorClassifier
{
    // OpenAI-shaped spend caps. Matched on type/code only: OpenAI's ordinary rate-limit messages also mention billing.
    private static readonly HashSet<string> QuotaCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "insufficient_quota",
        "billing_hard_limit_reached",
        "billing_not_active",
        "billing_error",
        "enforced_spend_limit_reached",
    };

    private static readonly string[] AnthropicBillingPhrases =
    [
        "credit balance",
        "billing",
        "purchase credits",
        "spend limit",
        "usage limits",
    ];

    private static readonly string[] GoogleQuotaPhrases = ["quota", "billing", "spend", "credit", "prepay"];

    /// <summary>The outcome wire name of an answer with a status outside 2xx.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="error">The parsed error body; null when there was none or it was not a provider error.</param>
    /// <param name="retryAfter">The provider's Retry-After header, when the caller saw one: it marks a Google 429 as pacing.</param>
    public static string Classify(int status, ProviderError? error, TimeSpan? retryAfter = null)
    {
        if (status is >= 400 and < 500 && IsSpendCap(status, error, retryAfter))
        {
            return Outcomes.QuotaExceeded;
        }

        if (status == 429)
        {
            return Outcomes.RateLimited;
        }

        if (status == 529 || Same(error?.Type, "overloaded_error"))
        {
            return Outcomes.Overloaded;
        }

        if (status < 500 && IsInvalidKey(error))
        {
            return Outcomes.AuthFailure;
        }

        if (status >= 500)
        {
            return IsOverloadedServerError(error) ? Outcomes.Overloaded : Outcomes.ServerError;
        }

        return status switch
        {
            401 or 403 => Outcomes.AuthFailure,
            402 => Outcomes.QuotaExceeded,
            408 => Outcomes.Timeout,
            _ => Outcomes.BadRequest, // 400/404/405/413/422: the request was wrong, not the provider.
        };
    }

    /// <summary>
    /// The outcome of an error a provider sent as the first event of a 200 stream (Anthropic's <c>event: error</c>
    /// under load, an OpenAI-compatible <c>data: {"error":…}</c>): it refused to answer rather than failing mid-answer,
    /// so overload, rate limits, a refused key and a provider-side timeout keep their own outcomes, as the same error
    /// with a 529/429/401/504 status would; anything else is a stream error.
    /// </summary>
    public static string ClassifyFirstEvent(ProviderError? error) =>
        Same(error?.Type, "overloaded_error") || IsOverloadedServerError(error) ? Outcomes.Overloaded
        : Same(error?.Type, "rate_limit_error") || Same(error?.Code, "rate_limit_exceeded") || Same(error?.Status, "RESOURCE_EXHAUSTED") ? Outcomes.RateLimited
        : IsAuthError(error) ? Outcomes.AuthFailure
        : Same(error?.Type, "timeout_error") || Same(error?.Status, "DEADLINE_EXCEEDED") ? Outcomes.Timeout
        : Outcomes.StreamError;

    // A key the provider refused, said inside a stream instead of with a 401/403: still a misconfiguration to alert on.
    private static bool IsAuthError(ProviderError? error) =>
        error is not null
        && (IsInvalidKey(error)
            || Same(error.Type, "authentication_error") || Same(error.Type, "permission_error")
            || Same(error.Status, "UNAUTHENTICATED") || Same(error.Status, "PERMISSION_DENIED"));

    /// <summary>The spend-cap code the error carries (<c>insufficient_quota</c>, <c>enforced_spend_limit_reached</c>…), safe for a detail; null when none.</summary>
    public static string? SpendCapCode(ProviderError? error) =>
        error is null ? null
        : IsQuotaCode(error.Code) ? ProviderError.Sanitize(error.Code)
        : IsQuotaCode(error.Type) ? ProviderError.Sanitize(error.Type)
        : null;

    private static bool IsSpendCap(int status, ProviderError? error, TimeSpan? retryAfter)
    {
        if (error is null)
        {
            return false;
        }

        if (IsQuotaCode(error.Type) || IsQuotaCode(error.Code))
        {
            return true;
        }

        // Google: RESOURCE_EXHAUSTED is both "slow down" and "out of money". A retry hint (header or RetryInfo)
        // means pacing; so does the generic "Resource has been exhausted (e.g. check quota)." text.
        if (Same(error.Status, "RESOURCE_EXHAUSTED"))
        {
            return retryAfter is null
                && error.RetryDelay is null
                && !error.MessageContains("e.g. check quota")
                && GoogleQuotaPhrases.Any(error.MessageContains);
        }

        // Anthropic words an exhausted credit balance or a reached spend limit as a 400 invalid_request_error
        // or a 429 rate_limit_error; only the text (or details.error_code, above) tells them apart. Gated on
        // Anthropic's envelope because OpenAI's ordinary rate-limit text mentions billing too.
        return error.AnthropicShaped && status is 400 or 403 or 429 && AnthropicBillingPhrases.Any(error.MessageContains);
    }

    // Google answers a wrong key with 400 INVALID_ARGUMENT / reason API_KEY_INVALID: an auth failure, not a bad request.
    private static bool IsInvalidKey(ProviderError? error) =>
        error is not null
        && (Same(error.Reason, "API_KEY_INVALID") || Same(error.Code, "invalid_api_key") || error.MessageContains("API key not valid"));

    private static bool IsOverloadedServerError(ProviderError? error) =>
        error is not null
        && (Same(error.Code, "server_is_overloaded") || error.MessageContains("overloaded"));

    private static bool IsQuotaCode(string? value) => value is not null && QuotaCodes.Contains(value);

    private static bool Same(string? value, string expected) =>
        string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);
}
