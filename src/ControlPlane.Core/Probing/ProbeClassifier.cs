using System.Globalization;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Probing;

/// <summary>
/// Turns what a probe saw into the outcome taxonomy. Pure: same observation, same answer.
/// Details name only status codes, error type tokens and exception types — never provider messages,
/// which can echo (masked) keys or prompts.
/// </summary>
public static class ProbeClassifier
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

    public static ProbeClassification Classify(ProbeObservation observation)
    {
        if (observation.TimedOut)
        {
            return new(ProbeOutcome.Timeout, observation.HttpStatus is { } status
                ? $"timeout reading response (http {status.ToString(CultureInfo.InvariantCulture)})"
                : "timeout awaiting response");
        }

        if (observation.CredentialsUnavailable)
        {
            return new(ProbeOutcome.AuthFailure, "api key unavailable");
        }

        if (observation.Transport != TransportFailure.None)
        {
            return new(ProbeOutcome.ConnectFailure, Join(TransportName(observation.Transport), observation.ExceptionType));
        }

        if (observation.HttpStatus is not { } code)
        {
            return new(ProbeOutcome.ConnectFailure, Join("no response", observation.ExceptionType));
        }

        return code is >= 200 and < 300
            ? ClassifySuccessStatus(observation, code)
            : ClassifyErrorStatus(observation, code);
    }

    private static ProbeClassification ClassifySuccessStatus(ProbeObservation observation, int code)
    {
        switch (observation.Stream)
        {
            case StreamFailure.ErrorEvent when !observation.ContentReceived:
                return ClassifyFirstEventError(observation);
            case StreamFailure.ErrorEvent:
                return new(ProbeOutcome.StreamError, Join("stream error event", ProviderError.TryParse(observation.ErrorBody)?.Name));
            case StreamFailure.BrokeOff:
                return new(ProbeOutcome.StreamError, Join("stream broke off", observation.ExceptionType));
        }

        if (observation.MalformedReason is not null)
        {
            return new(ProbeOutcome.MalformedResponse, $"http {Status(code)}: {observation.MalformedReason}");
        }

        return observation.Latency > observation.LatencyObjective
            ? new(ProbeOutcome.Slow, $"over latency objective {observation.LatencyObjective.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms")
            : new(ProbeOutcome.Success, null);
    }

    /// <summary>
    /// A 200 whose stream opens with an error event (Anthropic's <c>event: error</c> under load, an OpenAI-compatible
    /// <c>data: {"error":…}</c>): the provider refused to answer, it did not fail mid-answer. Overload and rate limits
    /// keep their own outcomes, exactly as the same error with a 529/429 status would; anything else is a stream error.
    /// </summary>
    private static ProbeClassification ClassifyFirstEventError(ProbeObservation observation)
    {
        var error = ProviderError.TryParse(observation.ErrorBody);
        var detail = Join("stream opened with an error event", error?.Name);
        if (IsType(error, "overloaded_error") || IsOverloadedServerError(error))
        {
            return new(ProbeOutcome.Overloaded, detail);
        }

        if (IsType(error, "rate_limit_error") || Same(error?.Code, "rate_limit_exceeded"))
        {
            return new(ProbeOutcome.RateLimited, detail);
        }

        return new(ProbeOutcome.StreamError, detail);
    }

    private static ProbeClassification ClassifyErrorStatus(ProbeObservation observation, int code)
    {
        var error = ProviderError.TryParse(observation.ErrorBody);
        var detail = Join($"http {Status(code)}", error?.Name);

        if (code is >= 400 and < 500 && IsSpendCap(observation, code, error))
        {
            var quotaCode = IsQuotaCode(error!.Code) ? ProviderError.Sanitize(error.Code) : null;
            return new(ProbeOutcome.QuotaExceeded, Join($"http {Status(code)}", quotaCode ?? error.Name));
        }

        if (code == 429)
        {
            return new(ProbeOutcome.RateLimited, detail);
        }

        if (code == 529 || IsType(error, "overloaded_error"))
        {
            return new(ProbeOutcome.Overloaded, detail);
        }

        if (code < 500 && IsInvalidKey(error))
        {
            return new(ProbeOutcome.AuthFailure, detail);
        }

        if (code >= 500)
        {
            return new(IsOverloadedServerError(error) ? ProbeOutcome.Overloaded : ProbeOutcome.ServerError, detail);
        }

        return code switch
        {
            401 or 403 => new(ProbeOutcome.AuthFailure, detail),
            402 => new(ProbeOutcome.QuotaExceeded, detail),
            408 => new(ProbeOutcome.Timeout, detail),
            _ => new(ProbeOutcome.BadRequest, detail), // 400/404/405/413/422 and any other status the probe should never see.
        };
    }

    private static bool IsSpendCap(ProbeObservation observation, int code, ProviderError? error)
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
        if (string.Equals(error.Status, "RESOURCE_EXHAUSTED", StringComparison.OrdinalIgnoreCase))
        {
            return observation.RetryAfter is null
                && error.RetryDelay is null
                && !error.MessageContains("e.g. check quota")
                && GoogleQuotaPhrases.Any(error.MessageContains);
        }

        // Anthropic words an exhausted credit balance or a reached spend limit as a 400 invalid_request_error
        // or a 429 rate_limit_error; only the text (or details.error_code, above) tells them apart.
        if (observation.Kind == ProviderKind.Anthropic && code is 400 or 403 or 429)
        {
            return AnthropicBillingPhrases.Any(error.MessageContains);
        }

        return false;
    }

    // Google answers a wrong key with 400 INVALID_ARGUMENT / reason API_KEY_INVALID: an auth failure, not a bad probe.
    private static bool IsInvalidKey(ProviderError? error) =>
        error is not null
        && (Same(error.Reason, "API_KEY_INVALID") || Same(error.Code, "invalid_api_key") || error.MessageContains("API key not valid"));

    private static bool IsOverloadedServerError(ProviderError? error) =>
        error is not null
        && (Same(error.Code, "server_is_overloaded") || error.MessageContains("overloaded"));

    private static bool IsQuotaCode(string? value) => value is not null && QuotaCodes.Contains(value);

    private static bool Same(string? value, string expected) =>
        string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);

    private static bool IsType(ProviderError? error, string type) =>
        error is not null && string.Equals(error.Type, type, StringComparison.OrdinalIgnoreCase);

    private static string Status(int code) => code.ToString(CultureInfo.InvariantCulture);

    private static string Join(string head, string? tail) => tail is null ? head : $"{head}: {tail}";

    private static string TransportName(TransportFailure failure) => failure switch
    {
        TransportFailure.ConnectionRefused => "connection refused",
        TransportFailure.NameResolution => "name resolution failed",
        TransportFailure.SecureConnection => "tls failure",
        TransportFailure.ConnectionReset => "connection reset before response",
        TransportFailure.ConnectTimeout => "connect timeout",
        TransportFailure.InvalidResponse => "invalid http response",
        _ => "transport failure",
    };
}
