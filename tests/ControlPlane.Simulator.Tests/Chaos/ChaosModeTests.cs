using ControlPlane.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Chaos;

/// Every chaos mode, observed the way a probe or gateway would observe it over real loopback HTTP.
public sealed class ChaosModeTests : IAsyncLifetime
{
    private TestSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await TestSimulator.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Theory]
    [InlineData(TestSimulator.Anthropic)]
    [InlineData(TestSimulator.Local)]
    public async Task Refuse_ConnectionRefused_ThenHealthyListensAgainOnSamePort(string provider)
    {
        var baseUrl = _sim.Host.BaseUrlOf(provider);
        // Leave a pooled keep-alive connection behind: refuse must not be answered over it.
        using (var warm = await _sim.SendAsync(_sim.Inference(provider)))
        {
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
            await warm.Content.ReadAsByteArrayAsync();
        }

        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.Refuse });

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => _sim.SendAsync(_sim.Inference(provider)));
        Assert.Equal(HttpRequestError.ConnectionError, ex.HttpRequestError);
        Assert.Equal(SocketError.ConnectionRefused, Assert.IsType<SocketException>(ex.InnerException).SocketErrorCode);

        await _sim.SetChaosAsync(provider, ChaosSettings.Healthy);

        Assert.Equal(baseUrl, _sim.Host.BaseUrlOf(provider));
        using var response = await _sim.SendAsync(_sim.Inference(provider));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Refuse_SwitchingToAnotherMode_RestartsListenerWithThatMode()
    {
        await _sim.SetChaosAsync(TestSimulator.OpenAi, new ChaosSettings { Mode = ChaosMode.Refuse });
        await _sim.SetChaosAsync(TestSimulator.OpenAi, new ChaosSettings { Mode = ChaosMode.ServerError });

        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.OpenAi));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Hang_ClientTimesOut_AndShutdownIsNotBlocked()
    {
        await _sim.SetChaosAsync(TestSimulator.Anthropic, new ChaosSettings { Mode = ChaosMode.Hang });

        // Give up only once the simulator holds the request, so a slow machine cannot make this pass for the wrong reason.
        using var giveUp = new CancellationTokenSource();
        var hung = _sim.SendAsync(_sim.Inference(TestSimulator.Anthropic), giveUp.Token);
        await Eventually.UntilAsync(() => Task.FromResult(_sim.Host.StatsOf(TestSimulator.Anthropic).Total == 1), TimeSpan.FromSeconds(10), "the simulator receives the request");
        await Task.Delay(200);
        Assert.False(hung.IsCompleted, "a hung provider must not answer");
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => hung);
        Assert.Equal(1, _sim.Host.StatsOf(TestSimulator.Anthropic).Total);

        // A second hung request still open while the simulator shuts down must not hold the shutdown up.
        var pending = _sim.SendAsync(_sim.Inference(TestSimulator.Anthropic, stream: true));
        await _sim.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<Exception>(() => pending);
    }

    [Fact]
    public async Task Overloaded_Anthropic_529WithOverloadedErrorBody()
    {
        await _sim.SetChaosAsync(TestSimulator.Anthropic, new ChaosSettings { Mode = ChaosMode.Overloaded });

        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.Anthropic));

        Assert.Equal(529, (int)response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonNode>())!.AsObject();
        Assert.Equal("error", (string)body["type"]!);
        Assert.Equal("""{"type":"overloaded_error","message":"Overloaded"}""", body["error"]!.ToJsonString());
        Assert.Equal(response.Headers.GetValues("request-id").Single(), (string)body["request_id"]!);
    }

    [Fact]
    public async Task Overloaded_Gemini_503Unavailable()
    {
        await _sim.SetChaosAsync(TestSimulator.Gemini, new ChaosSettings { Mode = ChaosMode.Overloaded });

        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.Gemini));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(
            """{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(TestSimulator.OpenAi)]
    [InlineData(TestSimulator.Local)]
    public async Task Overloaded_OpenAiKinds_503ServerErrorMentioningOverload(string provider)
    {
        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.Overloaded });

        using var response = await _sim.SendAsync(_sim.Inference(provider));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal("server_error", (string)error["type"]!);
        Assert.Contains("overloaded", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TestSimulator.Anthropic, "api_error")]
    [InlineData(TestSimulator.OpenAi, "server_error")]
    [InlineData(TestSimulator.Gemini, "UNAVAILABLE")]
    public async Task ServerError_503InTheKindsShape(string provider, string errorType)
    {
        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.ServerError });

        using var response = await _sim.SendAsync(_sim.Inference(provider));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(errorType, ErrorType(provider, (await response.Content.ReadFromJsonAsync<JsonNode>())!));
    }

    [Theory]
    [InlineData(TestSimulator.Anthropic, "rate_limit_error")]
    [InlineData(TestSimulator.OpenAi, "rate_limit_exceeded")]
    [InlineData(TestSimulator.Gemini, "RESOURCE_EXHAUSTED")]
    public async Task RateLimited_429WithRetryAfterHeader(string provider, string errorType)
    {
        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.RateLimited, RetryAfterSeconds = 17 });

        using var response = await _sim.SendAsync(_sim.Inference(provider));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(17), response.Headers.RetryAfter?.Delta);
        Assert.Equal(errorType, ErrorType(provider, (await response.Content.ReadFromJsonAsync<JsonNode>())!));
    }

    [Fact]
    public async Task SpendCap_OpenAi_429InsufficientQuotaWithoutRetryAfter()
    {
        await _sim.SetChaosAsync(TestSimulator.OpenAi, new ChaosSettings { Mode = ChaosMode.SpendCap });

        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.OpenAi));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal("insufficient_quota", (string)error["type"]!);
        Assert.Equal("insufficient_quota", (string)error["code"]!);
    }

    [Fact]
    public async Task SpendCap_Gemini_429ResourceExhaustedMentioningBilling()
    {
        await _sim.SetChaosAsync(TestSimulator.Gemini, new ChaosSettings { Mode = ChaosMode.SpendCap });

        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.Gemini));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal("RESOURCE_EXHAUSTED", (string)error["status"]!);
        Assert.Contains("quota", (string)error["message"]!, StringComparison.Ordinal);
        Assert.Contains("billing", (string)error["message"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpendCap_Anthropic_429WithEnforcedSpendLimitCode()
    {
        await _sim.SetChaosAsync(TestSimulator.Anthropic, new ChaosSettings { Mode = ChaosMode.SpendCap });

        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.Anthropic));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Null(response.Headers.RetryAfter);
        var error = (await response.Content.ReadFromJsonAsync<JsonNode>())!["error"]!;
        Assert.Equal("rate_limit_error", (string)error["type"]!);
        Assert.Equal("enforced_spend_limit_reached", (string)error["details"]!["error_code"]!);
    }

    [Theory]
    [InlineData(TestSimulator.Anthropic, "authentication_error")]
    [InlineData(TestSimulator.OpenAi, "invalid_api_key")]
    [InlineData(TestSimulator.Gemini, "UNAUTHENTICATED")]
    [InlineData(TestSimulator.Local, "invalid_api_key")]
    public async Task AuthFailure_401EvenWithTheRightKey(string provider, string errorType)
    {
        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.AuthFailure });

        using var response = await _sim.SendAsync(_sim.Inference(provider));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(errorType, ErrorType(provider, (await response.Content.ReadFromJsonAsync<JsonNode>())!));
    }

    [Theory]
    [InlineData(TestSimulator.Anthropic, "invalid_request_error")]
    [InlineData(TestSimulator.OpenAi, "invalid_request_error")]
    [InlineData(TestSimulator.Gemini, "INVALID_ARGUMENT")]
    public async Task BadRequest_400InTheKindsShape(string provider, string errorType)
    {
        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.BadRequest });

        using var response = await _sim.SendAsync(_sim.Inference(provider));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(errorType, ErrorType(provider, (await response.Content.ReadFromJsonAsync<JsonNode>())!));
    }

    [Fact]
    public async Task Slow_AnswersNormallyAfterAtLeastTheLatency()
    {
        await _sim.SetChaosAsync(TestSimulator.OpenAi, new ChaosSettings { Mode = ChaosMode.Slow, LatencyMs = 300 });

        var started = Stopwatch.GetTimestamp();
        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.OpenAi));
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Lower bound only (timer granularity allowance); how slow is too slow is the probe's business.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(290), $"answered after {elapsed.TotalMilliseconds} ms");
        Assert.Equal(1, _sim.Host.StatsOf(TestSimulator.OpenAi).ByOutcome["slow"]);
    }

    [Fact]
    public async Task StreamError_Anthropic_ErrorEventAfterFirstDelta_NoMessageStop()
    {
        await _sim.SetChaosAsync(TestSimulator.Anthropic, new ChaosSettings { Mode = ChaosMode.StreamError });

        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.Anthropic, stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = await Sse.ReadAllAsync(response);
        Assert.Equal(["message_start", "content_block_start", "ping", "content_block_delta", "error"], frames.Select(f => f.Event));
        Assert.Equal("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""", frames[^1].Data);
    }

    [Theory]
    [InlineData(TestSimulator.OpenAi)]
    [InlineData(TestSimulator.Local)]
    public async Task StreamError_OpenAiKinds_ErrorDataAfterFirstContentChunk_NoDone(string provider)
    {
        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.StreamError });

        using var response = await _sim.SendAsync(_sim.Inference(provider, stream: true));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frames = await Sse.ReadAllAsync(response);
        Assert.DoesNotContain(frames, f => f.Data == "[DONE]");
        Assert.Equal("po", (string)frames[^2].Json["choices"]![0]!["delta"]!["content"]!);
        Assert.Equal("server_error", (string)frames[^1].Json["error"]!["type"]!);
    }

    [Fact]
    public async Task StreamError_Gemini_ErrorDataAfterFirstChunk()
    {
        await _sim.SetChaosAsync(TestSimulator.Gemini, new ChaosSettings { Mode = ChaosMode.StreamError });

        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.Gemini, stream: true));

        var frames = await Sse.ReadAllAsync(response);
        Assert.Equal(2, frames.Count);
        Assert.Equal("po", (string)frames[0].Json["candidates"]![0]!["content"]!["parts"]![0]!["text"]!);
        Assert.Equal("UNAVAILABLE", (string)frames[1].Json["error"]!["status"]!);
    }

    [Theory]
    [InlineData(TestSimulator.Anthropic)]
    [InlineData(TestSimulator.OpenAi)]
    [InlineData(TestSimulator.Gemini)]
    public async Task StreamError_NotStreamed_200ThenConnectionDropsMidBody(string provider)
    {
        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.StreamError });

        using var response = await _sim.SendAsync(_sim.Inference(provider));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpRequestError.ResponseEnded, Assert.IsType<HttpIOException>(ex.InnerException).HttpRequestError);
    }

    [Theory]
    [InlineData(TestSimulator.Anthropic, false)]
    [InlineData(TestSimulator.OpenAi, false)]
    [InlineData(TestSimulator.Gemini, false)]
    [InlineData(TestSimulator.Anthropic, true)]
    [InlineData(TestSimulator.OpenAi, true)]
    [InlineData(TestSimulator.Gemini, true)]
    public async Task Malformed_200WithBodyThatDoesNotParse(string provider, bool stream)
    {
        await _sim.SetChaosAsync(provider, new ChaosSettings { Mode = ChaosMode.Malformed });

        using var response = await _sim.SendAsync(_sim.Inference(provider, stream));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        if (stream)
        {
            var frames = await Sse.ReadAllAsync(response);
            Assert.ThrowsAny<JsonException>(() => frames[0].Json);
        }
        else
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
        }
    }

    [Fact]
    public async Task Chaos_AppliesToModelListingsToo()
    {
        await _sim.SetChaosAsync(TestSimulator.Local, new ChaosSettings { Mode = ChaosMode.ServerError });

        using var response = await _sim.Http.GetAsync(_sim.Url(TestSimulator.Local, "v1/models"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task LatencyMs_WithHealthyMode_DelaysButAnswers()
    {
        await _sim.SetChaosAsync(TestSimulator.Local, new ChaosSettings { LatencyMs = 150 });

        var started = Stopwatch.GetTimestamp();
        using var response = await _sim.SendAsync(_sim.Inference(TestSimulator.Local));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(140));
    }

    private static string ErrorType(string provider, JsonNode body) => provider switch
    {
        TestSimulator.Anthropic => (string)body["error"]!["type"]!,
        TestSimulator.Gemini => (string)body["error"]!["status"]!,
        _ => (string?)body["error"]!["code"] ?? (string)body["error"]!["type"]!,
    };
}
