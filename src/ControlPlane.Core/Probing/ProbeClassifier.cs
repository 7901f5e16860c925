using System.Globalization;
using ControlPlane.Contracts.Providers;

namespace ControlPlane.Core.Probing;

/// <summary>
/// Turns what a probe saw into the outcome taxonomy. Pure: same observation, same answer.
/// Details name only status codes, error type tokens and exception types — never provider messages,
/// which can echo (masked) keys or prompts — except a bad request's, which says what was wrong with our own probe
/// request and goes through <see cref="ProbeRejection"/> (masked, bounded).
/// </summary>
public static class ProbeClassifier
{
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

    // The status-and-body rules are shared with the gateway; what stays here is the detail text.

    /// <summary>A 200 whose stream opens with an error event: the shared rule names the outcome.</summary>
    private static ProbeClassification ClassifyFirstEventError(ProbeObservation observation)
    {
        var error = ProviderError.TryParse(observation.ErrorBody);
        var outcome = ProbeOutcomes.TryParseWireName(ErrorClassifier.ClassifyFirstEvent(error), out var parsed) ? parsed : ProbeOutcome.StreamError;
        return new(outcome, Join("stream opened with an error event", error?.Name));
    }

    private static ProbeClassification ClassifyErrorStatus(ProbeObservation observation, int code)
    {
        var error = ProviderError.TryParse(observation.ErrorBody);
        var wireName = ErrorClassifier.Classify(code, error, observation.RetryAfter);
        var outcome = ProbeOutcomes.TryParseWireName(wireName, out var parsed)
            ? parsed
            : throw new InvalidOperationException($"The shared classifier named an outcome this taxonomy lacks: {wireName}.");
        var name = outcome == ProbeOutcome.QuotaExceeded ? ErrorClassifier.SpendCapCode(error) ?? error?.Name : error?.Name;
        var detail = Join($"http {Status(code)}", name);
        return outcome == ProbeOutcome.BadRequest
            ? new(outcome, Join(detail, ProbeRejection.Describe(error)))
            : new(outcome, detail);
    }

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
