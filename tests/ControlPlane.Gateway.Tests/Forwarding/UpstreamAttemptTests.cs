using System.Net;
using System.Text;
using ControlPlane.Contracts;
using ControlPlane.Contracts.Providers;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Translation.Anthropic;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Tests.Forwarding;

/// <summary>
/// The body limits of one attempt, against a hand-written upstream (the provider is outside our control): an answer
/// over MaxResponseBodyBytes is a malformed response the safety net moves on from; an error body over its read limit is
/// cut short but still classified.
/// </summary>
public sealed class UpstreamAttemptTests
{
    private const string Answer = """{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"PADDING"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":1}}""";

    [Fact]
    public async Task SendAsync_AnswerOverTheLimit_IsMalformedResponse()
    {
        var body = Answer.Replace("PADDING", new string('x', 4096), StringComparison.Ordinal);
        var result = await SendAsync(HttpStatusCode.OK, body, maxResponseBodyBytes: 2048);

        Assert.Equal((AttemptKind.Failed, Outcomes.MalformedResponse), (result.Kind, result.Outcome));
    }

    [Fact]
    public async Task SendAsync_AnswerExactlyAtTheLimit_IsAnAnswer()
    {
        var body = Answer.Replace("PADDING", "hello", StringComparison.Ordinal);
        var result = await SendAsync(HttpStatusCode.OK, body, maxResponseBodyBytes: Encoding.UTF8.GetByteCount(body));

        Assert.Equal(AttemptKind.Answered, result.Kind);
    }

    [Fact]
    public async Task SendAsync_ErrorBodyOverItsReadLimit_IsCutShortAndStillClassified()
    {
        // A 529 whose body runs far past 64 KiB: the status alone classifies it, and no more than the limit is kept.
        var body = """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded""" + new string(' ', 200_000) + "\"}}";
        var result = await SendAsync((HttpStatusCode)529, body, maxResponseBodyBytes: 1024 * 1024);

        Assert.Equal((AttemptKind.Failed, Outcomes.Overloaded), (result.Kind, result.Outcome));
        Assert.Equal(64 * 1024, result.ErrorBody.Length);
    }

    [Fact]
    public async Task SendAsync_ContextWindowError_IsARefusalWithTheStatedNumbers()
    {
        var body = """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 2100 tokens > 1000 maximum"}}""";
        using var result = await SendAsync(HttpStatusCode.BadRequest, body, maxResponseBodyBytes: 1024 * 1024);

        Assert.Equal((AttemptKind.Rejected, Refusals.ContextWindow, Refusals.ContextWindow), (result.Kind, result.Refusal, result.Outcome));
        Assert.Equal(new ContextWindowNumbers(2100, 1000), result.Window);
    }

    [Fact]
    public async Task SendAsync_PlainBadRequest_IsARejectionWithoutRefusal()
    {
        var body = """{"type":"error","error":{"type":"invalid_request_error","message":"messages: field required"}}""";
        using var result = await SendAsync(HttpStatusCode.BadRequest, body, maxResponseBodyBytes: 1024 * 1024);

        Assert.Equal((AttemptKind.Rejected, null), (result.Kind, result.Refusal));
    }

    [Fact]
    public async Task SendAsync_RateLimitedWithRetryAfterMs_CarriesTheHint()
    {
        var body = """{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}""";
        using var result = await SendAsync(HttpStatusCode.TooManyRequests, body, 1024 * 1024, ("retry-after", "7"), ("retry-after-ms", "2500"));

        Assert.Equal((AttemptKind.Failed, Outcomes.RateLimited), (result.Kind, result.Outcome));
        Assert.Equal(TimeSpan.FromMilliseconds(2500), result.RetryAfterHint);
    }

    [Fact]
    public async Task SendAsync_SpendCap429WithRetryAfter_IsNoPacingHint()
    {
        var body = """{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}""";
        using var result = await SendAsync(HttpStatusCode.TooManyRequests, body, 1024 * 1024, ("retry-after", "30"));

        Assert.Equal((Outcomes.QuotaExceeded, (TimeSpan?)null), (result.Outcome, result.RetryAfterHint));
    }

    private static async Task<AttemptResult> SendAsync(HttpStatusCode status, string body, long maxResponseBodyBytes, params (string Name, string Value)[] headers)
    {
        var options = Options.Create(new GatewayOptions { MaxResponseBodyBytes = maxResponseBodyBytes });
        using var http = new HttpMessageInvoker(new FixedUpstream(status, body, headers));
        var attempt = new UpstreamAttempt(http, options, TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://upstream.invalid/v1/messages");
        return await attempt.SendAsync(request, new AnthropicCodec(), stream: false, TimeSpan.FromSeconds(30), CancellationToken.None);
    }

    private sealed class FixedUpstream(HttpStatusCode status, string body, (string Name, string Value)[] headers) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in headers)
            {
                response.Headers.TryAddWithoutValidation(name, value);
            }

            return Task.FromResult(response);
        }
    }
}
