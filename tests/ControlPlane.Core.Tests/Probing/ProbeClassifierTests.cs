using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Probing;

public sealed class ProbeClassifierTests
{
    // Real wire shapes (trimmed) of each provider's error bodies.
    private const string AnthropicOverloaded = """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""";
    private const string AnthropicRateLimit = """{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}""";
    private const string AnthropicCreditBalance = """{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}""";
    private const string AnthropicBillingError = """{"type":"error","error":{"type":"billing_error","message":"Billing issue"}}""";
    private const string AnthropicSpendLimit = """{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your specified API usage limits. You will regain access at the start of next month.","details":{"error_code":"enforced_spend_limit_reached"}}}""";
    private const string AnthropicAuth = """{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""";
    private const string AnthropicPermission = """{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission"}}""";
    private const string AnthropicInvalid = """{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}""";
    private const string AnthropicNotFound = """{"type":"error","error":{"type":"not_found_error","message":"model: claude-nope"}}""";
    private const string AnthropicApiError = """{"type":"error","error":{"type":"api_error","message":"Internal server error"}}""";

    private const string OpenAIQuota = """{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}""";
    private const string OpenAIRateLimit = """{"error":{"message":"Rate limit reached for gpt-4o on requests per min. You can increase your rate limit by adding a payment method at https://platform.openai.com/account/billing.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";
    private const string OpenAIAuth = """{"error":{"message":"Incorrect API key provided: sk-abc***xyz.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""";
    private const string OpenAIModelNotFound = """{"error":{"message":"The model `gpt-nope` does not exist","type":"invalid_request_error","param":null,"code":"model_not_found"}}""";
    private const string OpenAIServerError = """{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}""";
    private const string OpenAIOverloaded = """{"error":{"message":"That model is currently overloaded with other requests.","type":"server_error","param":null,"code":null}}""";

    private const string GoogleUnavailable = """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}""";
    private const string GoogleOverloaded = """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""";
    private const string GoogleRateLimitGeneric = """{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}""";
    private const string GoogleRateLimitWithRetryInfo = """{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}""";
    private const string GoogleQuotaFailure = """{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateContentPaidTierInputTokensPerModelPerMonth"}]}]}}""";
    private const string GoogleSpendCap = """{"error":{"code":429,"message":"Your project has exceeded its spend cap. Check your billing settings.","status":"RESOURCE_EXHAUSTED"}}""";
    private const string GoogleAuth = """{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}""";
    private const string GoogleInvalidArgument = """{"error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}""";
    private const string GooglePermission = """{"error":{"code":403,"message":"Method doesn't allow unregistered callers.","status":"PERMISSION_DENIED"}}""";
    private const string GoogleNotFound = """{"error":{"code":404,"message":"models/gemini-nope is not found for API version v1beta","status":"NOT_FOUND"}}""";
    private const string GoogleInternal = """[{"error":{"code":500,"message":"An internal error has occurred.","status":"INTERNAL"}}]""";

    public static TheoryData<ProviderKind, int, string?, ProbeOutcome> ErrorStatuses => new()
    {
        { ProviderKind.Anthropic, 529, AnthropicOverloaded, ProbeOutcome.Overloaded },
        { ProviderKind.Anthropic, 529, null, ProbeOutcome.Overloaded },
        { ProviderKind.Anthropic, 500, AnthropicOverloaded, ProbeOutcome.Overloaded },
        { ProviderKind.Anthropic, 429, AnthropicRateLimit, ProbeOutcome.RateLimited },
        { ProviderKind.Anthropic, 400, AnthropicCreditBalance, ProbeOutcome.QuotaExceeded },
        { ProviderKind.Anthropic, 429, AnthropicCreditBalance, ProbeOutcome.QuotaExceeded },
        { ProviderKind.Anthropic, 402, AnthropicBillingError, ProbeOutcome.QuotaExceeded },
        { ProviderKind.Anthropic, 429, AnthropicSpendLimit, ProbeOutcome.QuotaExceeded },
        { ProviderKind.Anthropic, 401, AnthropicAuth, ProbeOutcome.AuthFailure },
        { ProviderKind.Anthropic, 403, AnthropicPermission, ProbeOutcome.AuthFailure },
        { ProviderKind.Anthropic, 400, AnthropicInvalid, ProbeOutcome.BadRequest },
        { ProviderKind.Anthropic, 404, AnthropicNotFound, ProbeOutcome.BadRequest },
        { ProviderKind.Anthropic, 413, null, ProbeOutcome.BadRequest },
        { ProviderKind.Anthropic, 500, AnthropicApiError, ProbeOutcome.ServerError },

        { ProviderKind.OpenAI, 429, OpenAIQuota, ProbeOutcome.QuotaExceeded },
        { ProviderKind.OpenAI, 429, OpenAIRateLimit, ProbeOutcome.RateLimited },
        { ProviderKind.OpenAI, 429, null, ProbeOutcome.RateLimited },
        { ProviderKind.OpenAI, 401, OpenAIAuth, ProbeOutcome.AuthFailure },
        { ProviderKind.OpenAI, 404, OpenAIModelNotFound, ProbeOutcome.BadRequest },
        { ProviderKind.OpenAI, 405, null, ProbeOutcome.BadRequest },
        { ProviderKind.OpenAI, 422, null, ProbeOutcome.BadRequest },
        { ProviderKind.OpenAI, 500, OpenAIServerError, ProbeOutcome.ServerError },
        { ProviderKind.OpenAI, 502, "<html>Bad Gateway</html>", ProbeOutcome.ServerError },
        { ProviderKind.OpenAI, 503, OpenAIOverloaded, ProbeOutcome.Overloaded },
        { ProviderKind.OpenAICompatible, 429, OpenAIQuota, ProbeOutcome.QuotaExceeded },
        { ProviderKind.OpenAICompatible, 404, """{"error":"model 'llama9' not found"}""", ProbeOutcome.BadRequest },
        { ProviderKind.OpenAICompatible, 503, null, ProbeOutcome.ServerError },

        { ProviderKind.Gemini, 503, GoogleUnavailable, ProbeOutcome.ServerError },
        { ProviderKind.Gemini, 503, GoogleOverloaded, ProbeOutcome.Overloaded },
        { ProviderKind.Gemini, 429, GoogleRateLimitGeneric, ProbeOutcome.RateLimited },
        { ProviderKind.Gemini, 429, GoogleRateLimitWithRetryInfo, ProbeOutcome.RateLimited },
        { ProviderKind.Gemini, 429, GoogleSpendCap, ProbeOutcome.QuotaExceeded },
        { ProviderKind.Gemini, 429, GoogleQuotaFailure, ProbeOutcome.QuotaExceeded },
        { ProviderKind.Gemini, 429, """{"error":{"code":429,"message":"Resource exhausted. Too many requests, please try again later.","status":"RESOURCE_EXHAUSTED"}}""", ProbeOutcome.RateLimited },
        { ProviderKind.Gemini, 400, GoogleAuth, ProbeOutcome.AuthFailure },
        { ProviderKind.Gemini, 400, GoogleInvalidArgument, ProbeOutcome.BadRequest },
        { ProviderKind.Gemini, 403, GooglePermission, ProbeOutcome.AuthFailure },
        { ProviderKind.Gemini, 404, GoogleNotFound, ProbeOutcome.BadRequest },
        { ProviderKind.Gemini, 500, GoogleInternal, ProbeOutcome.ServerError },

        { ProviderKind.OpenAI, 408, null, ProbeOutcome.Timeout },
        { ProviderKind.OpenAI, 402, null, ProbeOutcome.QuotaExceeded },
    };

    [Theory]
    [MemberData(nameof(ErrorStatuses))]
    public void Classify_ErrorStatus_MapsToOutcome(ProviderKind kind, int status, string? body, ProbeOutcome expected)
    {
        var result = ProbeClassifier.Classify(new ProbeObservation { Kind = kind, HttpStatus = status, ErrorBody = body });

        Assert.Equal(expected, result.Outcome);
        Assert.StartsWith($"http {status}", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_GoogleQuotaMessageWithRetryAfterHeader_IsRateLimited()
    {
        var result = Classify(ProviderKind.Gemini, 429, GoogleSpendCap);
        Assert.Equal(ProbeOutcome.QuotaExceeded, result.Outcome);

        var paced = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = ProviderKind.Gemini,
            HttpStatus = 429,
            ErrorBody = GoogleSpendCap,
            RetryAfter = TimeSpan.FromSeconds(10),
        });
        Assert.Equal(ProbeOutcome.RateLimited, paced.Outcome);
    }

    [Fact]
    public void Classify_SpendCapDetail_NamesTheQuotaCode() =>
        Assert.Equal("http 429: enforced_spend_limit_reached", Classify(ProviderKind.Anthropic, 429, AnthropicSpendLimit).Detail);

    [Fact]
    public void Classify_AnthropicBillingWordsFromAnotherKind_AreNotAQuotaSignal()
    {
        // OpenAI's ordinary rate-limit text mentions billing; only insufficient_quota means a spend cap.
        Assert.Equal(ProbeOutcome.RateLimited, Classify(ProviderKind.OpenAI, 429, OpenAIRateLimit).Outcome);
    }

    [Fact]
    public void Classify_ErrorDetail_NamesTheErrorTypeButNeverTheMessage()
    {
        var result = Classify(ProviderKind.OpenAI, 401, OpenAIAuth);

        Assert.Equal("http 401: invalid_request_error", result.Detail);
        Assert.Equal("http 400: API_KEY_INVALID", Classify(ProviderKind.Gemini, 400, GoogleAuth).Detail);
        Assert.DoesNotContain("sk-", result.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AnthropicOverloaded, "http 529: overloaded_error")]
    [InlineData(GoogleUnavailable, "http 529: UNAVAILABLE")]
    [InlineData("not json at all", "http 529")]
    public void Classify_ErrorDetail_UsesTypeStatusOrJustTheCode(string body, string expected) =>
        Assert.Equal(expected, Classify(ProviderKind.Anthropic, 529, body).Detail);

    [Theory]
    [InlineData(TransportFailure.ConnectionRefused)]
    [InlineData(TransportFailure.NameResolution)]
    [InlineData(TransportFailure.SecureConnection)]
    [InlineData(TransportFailure.ConnectionReset)]
    [InlineData(TransportFailure.ConnectTimeout)]
    [InlineData(TransportFailure.InvalidResponse)]
    [InlineData(TransportFailure.Other)]
    public void Classify_TransportFailure_IsConnectFailure(TransportFailure failure)
    {
        var result = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = ProviderKind.OpenAI,
            Transport = failure,
            ExceptionType = "HttpRequestException",
        });

        Assert.Equal(ProbeOutcome.ConnectFailure, result.Outcome);
        Assert.EndsWith("HttpRequestException", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_NoUsableKey_IsAuthFailure() =>
        Assert.Equal(
            new ProbeClassification(ProbeOutcome.AuthFailure, "api key unavailable"),
            ProbeClassifier.Classify(new ProbeObservation { Kind = ProviderKind.Anthropic, CredentialsUnavailable = true }));

    [Fact]
    public void Classify_NothingObserved_IsConnectFailure() =>
        Assert.Equal(ProbeOutcome.ConnectFailure, ProbeClassifier.Classify(new ProbeObservation { Kind = ProviderKind.Gemini }).Outcome);

    [Theory]
    [InlineData(null)]
    [InlineData(200)]
    public void Classify_OurTimeout_IsTimeoutEvenAfterHeaders(int? status)
    {
        var result = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = ProviderKind.Anthropic,
            TimedOut = true,
            HttpStatus = status,
            Stream = StreamFailure.BrokeOff,
            Transport = TransportFailure.Other,
        });

        Assert.Equal(ProbeOutcome.Timeout, result.Outcome);
    }

    [Theory]
    [InlineData(ProviderKind.Anthropic, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", "stream error event: overloaded_error")]
    [InlineData(ProviderKind.OpenAI, """{"error":{"message":"boom","type":"server_error","code":null}}""", "stream error event: server_error")]
    [InlineData(ProviderKind.Gemini, """{"error":{"code":500,"message":"boom","status":"INTERNAL"}}""", "stream error event: INTERNAL")]
    public void Classify_ErrorEventAfterContent_IsStreamError(ProviderKind kind, string payload, string detail)
    {
        var result = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = kind,
            HttpStatus = 200,
            Stream = StreamFailure.ErrorEvent,
            ErrorBody = payload,
            ContentReceived = true,
        });

        Assert.Equal(ProbeOutcome.StreamError, result.Outcome);
        Assert.Equal(detail, result.Detail);
    }

    [Theory]
    [InlineData(ProviderKind.Anthropic, """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", ProbeOutcome.Overloaded, "stream opened with an error event: overloaded_error")]
    [InlineData(ProviderKind.Anthropic, """{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}""", ProbeOutcome.RateLimited, "stream opened with an error event: rate_limit_error")]
    [InlineData(ProviderKind.OpenAICompatible, """{"error":{"message":"The server is overloaded","type":"server_error","code":"server_is_overloaded"}}""", ProbeOutcome.Overloaded, "stream opened with an error event: server_error")]
    [InlineData(ProviderKind.OpenAI, """{"error":{"message":"boom","type":"server_error","code":null}}""", ProbeOutcome.StreamError, "stream opened with an error event: server_error")]
    public void Classify_ErrorEventBeforeAnyContent_IsClassifiedByTheProvidersError(ProviderKind kind, string payload, ProbeOutcome outcome, string detail)
    {
        // The provider answered 200 and then refused: the same signal as a 529/429, not a failure mid-answer.
        var result = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = kind,
            HttpStatus = 200,
            Stream = StreamFailure.ErrorEvent,
            ErrorBody = payload,
            ContentReceived = false,
        });

        Assert.Equal((outcome, detail), (result.Outcome, result.Detail));
    }

    [Fact]
    public void Classify_StreamThatBrokeOff_IsStreamError() =>
        Assert.Equal(ProbeOutcome.StreamError, ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = ProviderKind.OpenAI,
            HttpStatus = 200,
            Stream = StreamFailure.BrokeOff,
        }).Outcome);

    [Fact]
    public void Classify_UnparsableSuccessBody_IsMalformed()
    {
        var result = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = ProviderKind.Gemini,
            HttpStatus = 200,
            MalformedReason = "body is not JSON",
        });

        Assert.Equal(ProbeOutcome.MalformedResponse, result.Outcome);
        Assert.Equal("http 200: body is not JSON", result.Detail);
    }

    [Fact]
    public void Classify_SuccessWithinObjective_IsSuccessWithoutDetail()
    {
        var result = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = ProviderKind.Anthropic,
            HttpStatus = 200,
            Latency = TimeSpan.FromMilliseconds(400),
            LatencyObjective = TimeSpan.FromSeconds(1),
        });

        Assert.Equal(new ProbeClassification(ProbeOutcome.Success, null), result);
    }

    [Fact]
    public void Classify_SuccessOverObjective_IsSlow()
    {
        var result = ProbeClassifier.Classify(new ProbeObservation
        {
            Kind = ProviderKind.Anthropic,
            HttpStatus = 200,
            Latency = TimeSpan.FromMilliseconds(1500),
            LatencyObjective = TimeSpan.FromSeconds(1),
        });

        Assert.Equal(ProbeOutcome.Slow, result.Outcome);
        Assert.Equal("over latency objective 1000 ms", result.Detail);
    }

    [Fact]
    public void Classify_EveryOutcomeIsReachable()
    {
        var reached = ErrorStatuses.Select(row => (ProbeOutcome)row[3]).ToHashSet();
        reached.Add(ProbeOutcome.Success);
        reached.Add(ProbeOutcome.Slow);
        reached.Add(ProbeOutcome.ConnectFailure);
        reached.Add(ProbeOutcome.StreamError);
        reached.Add(ProbeOutcome.MalformedResponse);

        Assert.Equal(ProbeOutcomes.All.OrderBy(o => o), reached.OrderBy(o => o));
    }

    private static ProbeClassification Classify(ProviderKind kind, int status, string body) =>
        ProbeClassifier.Classify(new ProbeObservation { Kind = kind, HttpStatus = status, ErrorBody = body });
}
