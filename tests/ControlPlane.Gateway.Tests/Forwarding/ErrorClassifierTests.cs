using System.Text;
using ControlPlane.Contracts;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Probing;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;
using ControlPlane.Gateway.Translation.Gemini;
using ControlPlane.Gateway.Translation.OpenAiChat;

namespace ControlPlane.Gateway.Tests.Forwarding;

/// <summary>
/// One table of real provider error bodies (trimmed), run through both places that classify an answer: the control
/// plane's probe classifier and the gateway's attempt classifier. Both use Contracts' <see cref="ErrorClassifier"/>;
/// this test is what keeps them from drifting apart again. It lives here because only this project sees both.
/// </summary>
public sealed class ErrorClassifierTests
{
    private const string AnthropicOverloaded = """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}""";
    private const string AnthropicRateLimit = """{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}""";
    private const string AnthropicCreditBalance = """{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}""";
    private const string AnthropicBillingError = """{"type":"error","error":{"type":"billing_error","message":"Billing issue"}}""";
    private const string AnthropicSpendLimit = """{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your specified API usage limits. You will regain access at the start of next month.","details":{"error_code":"enforced_spend_limit_reached"}}}""";
    private const string AnthropicAuth = """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""";
    private const string AnthropicPermission = """{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission"}}""";
    private const string AnthropicInvalid = """{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}""";
    private const string AnthropicNotFound = """{"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"}}""";
    private const string AnthropicTooLarge = """{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}""";
    private const string AnthropicApiError = """{"type":"error","error":{"type":"api_error","message":"Internal server error"}}""";

    private const string OpenAIQuota = """{"error":{"message":"You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""";
    private const string OpenAIRateLimit = """{"error":{"message":"Rate limit reached for gpt-4o on requests per min. You can increase your rate limit by adding a payment method at https://platform.openai.com/account/billing.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";
    private const string OpenAIAuth = """{"error":{"message":"Incorrect API key provided: sk-abc***xyz.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""";
    private const string OpenAIModelNotFound = """{"error":{"message":"The model `gpt-nope` does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}}""";
    private const string OpenAIServerError = """{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}""";
    private const string OpenAIOverloaded = """{"error":{"message":"That model is currently overloaded with other requests.","type":"server_error","param":null,"code":null}}""";

    private const string GoogleUnavailable = """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}""";
    private const string GoogleOverloaded = """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""";
    private const string GoogleCheckQuota = """{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}""";
    private const string GoogleQuotaWithRetryInfo = """{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}""";
    private const string GoogleQuotaFailure = """{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateContentPaidTierInputTokensPerModelPerMonth"}]}]}}""";
    private const string GoogleDailyQuotaHelpOnly = """{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]}]}}""";
    private const string GoogleSpendCap = """{"error":{"code":429,"message":"Your project has exceeded its spend cap. Check your billing settings.","status":"RESOURCE_EXHAUSTED"}}""";
    private const string GoogleTryLater = """[{"error":{"code":429,"message":"Resource exhausted. Please try again later.","errors":[{"message":"Resource exhausted. Please try again later.","domain":"global","reason":"rateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}}]""";
    private const string GoogleAuth = """{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}""";
    private const string GoogleInvalidArgument = """{"error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}""";
    private const string GooglePermission = """{"error":{"code":403,"message":"Method doesn't allow unregistered callers.","status":"PERMISSION_DENIED"}}""";
    private const string GoogleNotFound = """{"error":{"code":404,"message":"models/gemini-nope is not found for API version v1beta","status":"NOT_FOUND"}}""";
    private const string GoogleInternal = """[{"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}]""";

    public static TheoryData<ProviderKind, int, string?, string> RealErrorBodies => new()
    {
        { ProviderKind.Anthropic, 529, AnthropicOverloaded, Outcomes.Overloaded },
        { ProviderKind.Anthropic, 529, null, Outcomes.Overloaded },
        { ProviderKind.Anthropic, 500, AnthropicOverloaded, Outcomes.Overloaded },
        { ProviderKind.Anthropic, 429, AnthropicRateLimit, Outcomes.RateLimited },
        { ProviderKind.Anthropic, 400, AnthropicCreditBalance, Outcomes.QuotaExceeded },
        { ProviderKind.Anthropic, 429, AnthropicCreditBalance, Outcomes.QuotaExceeded },
        { ProviderKind.Anthropic, 402, AnthropicBillingError, Outcomes.QuotaExceeded },
        { ProviderKind.Anthropic, 429, AnthropicSpendLimit, Outcomes.QuotaExceeded },
        { ProviderKind.Anthropic, 401, AnthropicAuth, Outcomes.AuthFailure },
        { ProviderKind.Anthropic, 403, AnthropicPermission, Outcomes.AuthFailure },
        { ProviderKind.Anthropic, 400, AnthropicInvalid, Outcomes.BadRequest },
        { ProviderKind.Anthropic, 404, AnthropicNotFound, Outcomes.BadRequest },
        { ProviderKind.Anthropic, 413, AnthropicTooLarge, Outcomes.BadRequest },
        { ProviderKind.Anthropic, 500, AnthropicApiError, Outcomes.ServerError },

        { ProviderKind.OpenAI, 429, OpenAIQuota, Outcomes.QuotaExceeded },
        { ProviderKind.OpenAI, 429, OpenAIRateLimit, Outcomes.RateLimited }, // mentions billing: still pacing
        { ProviderKind.OpenAI, 429, null, Outcomes.RateLimited },
        { ProviderKind.OpenAI, 401, OpenAIAuth, Outcomes.AuthFailure },
        { ProviderKind.OpenAI, 404, OpenAIModelNotFound, Outcomes.BadRequest },
        { ProviderKind.OpenAI, 405, null, Outcomes.BadRequest },
        { ProviderKind.OpenAI, 422, null, Outcomes.BadRequest },
        { ProviderKind.OpenAI, 500, OpenAIServerError, Outcomes.ServerError },
        { ProviderKind.OpenAI, 502, "<html>Bad Gateway</html>", Outcomes.ServerError },
        { ProviderKind.OpenAI, 503, OpenAIOverloaded, Outcomes.Overloaded },
        { ProviderKind.OpenAI, 408, null, Outcomes.Timeout },
        { ProviderKind.OpenAI, 402, null, Outcomes.QuotaExceeded },
        { ProviderKind.OpenAICompatible, 429, OpenAIQuota, Outcomes.QuotaExceeded },
        { ProviderKind.OpenAICompatible, 404, """{"error":"model 'llama9' not found"}""", Outcomes.BadRequest },
        { ProviderKind.OpenAICompatible, 503, null, Outcomes.ServerError },

        { ProviderKind.Gemini, 503, GoogleUnavailable, Outcomes.ServerError },
        { ProviderKind.Gemini, 503, GoogleOverloaded, Outcomes.Overloaded },
        { ProviderKind.Gemini, 429, GoogleCheckQuota, Outcomes.RateLimited }, // "check quota" is Google's generic pacing text
        { ProviderKind.Gemini, 429, GoogleQuotaWithRetryInfo, Outcomes.RateLimited },
        { ProviderKind.Gemini, 429, GoogleQuotaFailure, Outcomes.QuotaExceeded },
        { ProviderKind.Gemini, 429, GoogleDailyQuotaHelpOnly, Outcomes.QuotaExceeded },
        { ProviderKind.Gemini, 429, GoogleSpendCap, Outcomes.QuotaExceeded },
        { ProviderKind.Gemini, 429, GoogleTryLater, Outcomes.RateLimited },
        { ProviderKind.Gemini, 400, GoogleAuth, Outcomes.AuthFailure },
        { ProviderKind.Gemini, 400, GoogleInvalidArgument, Outcomes.BadRequest },
        { ProviderKind.Gemini, 403, GooglePermission, Outcomes.AuthFailure },
        { ProviderKind.Gemini, 404, GoogleNotFound, Outcomes.BadRequest },
        { ProviderKind.Gemini, 500, GoogleInternal, Outcomes.ServerError },
    };

    [Theory]
    [MemberData(nameof(RealErrorBodies))]
    public void Classify_RealErrorBody_SameOutcomeOnProbeAndGatewayPaths(ProviderKind kind, int status, string? body, string expected)
    {
        var probe = ProbeClassifier.Classify(new ProbeObservation { Kind = kind, HttpStatus = status, ErrorBody = body });
        var (gateway, _) = AttemptClassifier.Classify(status, Encoding.UTF8.GetBytes(body ?? ""));

        Assert.Equal((expected, expected), (probe.Outcome.ToWireName(), gateway));
        Assert.StartsWith($"http {status}", probe.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void RealErrorBodies_ReachEveryOutcomeAnErrorStatusCanHave()
    {
        var reached = RealErrorBodies.Select(row => (string)row[3]).ToHashSet();

        // Success, slow, connect failures, stream errors and malformed bodies come from elsewhere than an error status.
        string[] errorOutcomes =
        [
            Outcomes.Overloaded, Outcomes.RateLimited, Outcomes.QuotaExceeded, Outcomes.ServerError,
            Outcomes.Timeout, Outcomes.AuthFailure, Outcomes.BadRequest,
        ];
        Assert.Subset(reached, errorOutcomes.ToHashSet());
    }

    /// <summary>The same bodies sent as the first event of a 200 stream (Anthropic's <c>event: error</c>, an OpenAI-style or Gemini chunk carrying <c>error</c>).</summary>
    public static TheoryData<ProviderKind, string, string> FirstEventErrors => new()
    {
        { ProviderKind.Anthropic, AnthropicOverloaded, Outcomes.Overloaded },
        { ProviderKind.Anthropic, AnthropicRateLimit, Outcomes.RateLimited },
        { ProviderKind.Anthropic, AnthropicAuth, Outcomes.AuthFailure },
        { ProviderKind.Anthropic, AnthropicPermission, Outcomes.AuthFailure },
        { ProviderKind.Anthropic, """{"type":"error","error":{"type":"timeout_error","message":"Request timed out"}}""", Outcomes.Timeout },
        { ProviderKind.Anthropic, AnthropicApiError, Outcomes.StreamError },
        { ProviderKind.OpenAI, OpenAIRateLimit, Outcomes.RateLimited },
        { ProviderKind.OpenAI, OpenAIOverloaded, Outcomes.Overloaded },
        { ProviderKind.OpenAI, OpenAIAuth, Outcomes.AuthFailure },
        { ProviderKind.OpenAI, OpenAIServerError, Outcomes.StreamError },
        { ProviderKind.Gemini, GoogleOverloaded, Outcomes.Overloaded },
        { ProviderKind.Gemini, GoogleTryLater.Trim('[', ']'), Outcomes.RateLimited },
        { ProviderKind.Gemini, GooglePermission, Outcomes.AuthFailure },
        { ProviderKind.Gemini, """{"error":{"code":504,"message":"Deadline expired before operation could complete.","status":"DEADLINE_EXCEEDED"}}""", Outcomes.Timeout },
        { ProviderKind.Gemini, GoogleInternal.Trim('[', ']'), Outcomes.StreamError },
    };

    [Theory]
    [MemberData(nameof(FirstEventErrors))]
    public void ClassifyFirstEvent_RealErrorEvent_SameOutcomeOnProbeAndGatewayPaths(ProviderKind kind, string data, string expected)
    {
        var probe = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = kind, HttpStatus = 200, ErrorBody = data, Stream = StreamFailure.ErrorEvent, ContentReceived = false,
        });
        IStreamDecoder decoder = kind switch
        {
            ProviderKind.Anthropic => new AnthropicStreamDecoder(),
            ProviderKind.Gemini => new GeminiStreamDecoder(),
            _ => new OpenAiChatStreamDecoder(),
        };
        var events = new List<StreamEvent>();
        decoder.Decode(new SseEvent(kind == ProviderKind.Anthropic ? "error" : null, Encoding.UTF8.GetBytes(data)), events);

        var failed = Assert.IsType<StreamFailed>(Assert.Single(events));
        Assert.Equal((expected, expected), (probe.Outcome.ToWireName(), failed.Outcome));
    }
}
