using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Probing;

public sealed class ProbeClassifierTests
{
    // Real wire shapes (trimmed) of each provider's error bodies.
    private const string AnthropicOverloaded = """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""";
    private const string AnthropicSpendLimit = """{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your specified API usage limits. You will regain access at the start of next month.","details":{"error_code":"enforced_spend_limit_reached"}}}""";

    private const string OpenAIRateLimit = """{"error":{"message":"Rate limit reached for gpt-4o on requests per min. You can increase your rate limit by adding a payment method at https://platform.openai.com/account/billing.","type":"requests","param":null,"code":"rate_limit_exceeded"}}""";
    private const string OpenAIAuth = """{"error":{"message":"Incorrect API key provided: sk-abc***xyz.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""";

    private const string GoogleUnavailable = """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}""";
    private const string GoogleSpendCap = """{"error":{"code":429,"message":"Your project has exceeded its spend cap. Check your billing settings.","status":"RESOURCE_EXHAUSTED"}}""";
    private const string GoogleAuth = """{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}""";

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

    private static ProbeClassification Classify(ProviderKind kind, int status, string body) =>
        ProbeClassifier.Classify(new ProbeObservation { Kind = kind, HttpStatus = status, ErrorBody = body });
}
