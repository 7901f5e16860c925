using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Tests.Probing;

/// <summary>The probe's exact requests and its handling of wire situations, against a scripted loopback server.</summary>
public sealed class ProbeWireTests : IDisposable
{
    private const string Key = "sk-wire-test-secret";
    private readonly string _variable = $"CONTROLPLANE_TEST_KEY_{Guid.NewGuid():N}";

    public ProbeWireTests() => Environment.SetEnvironmentVariable(_variable, Key);

    public void Dispose() => Environment.SetEnvironmentVariable(_variable, null);

    [Theory]
    [InlineData(ProviderKind.Anthropic, "POST /v1/messages HTTP/1.1", "x-api-key: " + Key)]
    [InlineData(ProviderKind.OpenAI, "POST /v1/chat/completions HTTP/1.1", "Authorization: Bearer " + Key)]
    [InlineData(ProviderKind.OpenAICompatible, "POST /v1/chat/completions HTTP/1.1", "Authorization: Bearer " + Key)]
    [InlineData(ProviderKind.Gemini, "POST /v1beta/models/m-1:streamGenerateContent?alt=sse HTTP/1.1", "x-goog-api-key: " + Key)]
    public async Task Inference_SendsTheKindsPathAuthAndConfiguredHeaders(ProviderKind kind, string requestLine, string authHeader)
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"));
        var provider = Provider(kind, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string> { ["x-provider-extra"] = "p" });
        var target = Target(provider, new Dictionary<string, string> { ["x-target-extra"] = "t" });

        var sample = await ProbeAsync(provider, target);

        Assert.Equal(ProbeOutcome.ServerError, sample.Outcome);
        var request = Assert.Single(server.Requests);
        var lines = request.Split("\r\n");
        Assert.Equal(requestLine, lines[0]);
        Assert.Contains(authHeader, lines);
        Assert.Contains("x-provider-extra: p", lines);
        Assert.Contains("x-target-extra: t", lines);
        Assert.Equal(kind == ProviderKind.Anthropic, lines.Contains("anthropic-version: 2023-06-01"));
    }

    [Fact]
    public async Task KeylessOpenAICompatible_SendsNoAuthorization()
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"));
        var provider = Provider(ProviderKind.OpenAICompatible, server.BaseUrl, null, new Dictionary<string, string>());

        await ProbeAsync(provider, Target(provider, new Dictionary<string, string>()));

        Assert.DoesNotContain("Authorization", Assert.Single(server.Requests), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MissingKey_IsAuthFailureWithoutSending()
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
        var provider = Provider(ProviderKind.Anthropic, server.BaseUrl, new ApiKeySource($"CONTROLPLANE_TEST_UNSET_{Guid.NewGuid():N}", null), new Dictionary<string, string>());

        var logs = new CapturingLoggerProvider();

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>()), logs);

        Assert.Equal(ProbeOutcome.AuthFailure, sample.Outcome);
        Assert.Equal("api key unavailable", sample.Detail);
        Assert.Empty(server.Requests);
        Assert.Contains(logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains("has no usable API key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BodyCutShortAfter200_IsStreamError()
    {
        await using var server = new RawHttpServer(stream =>
            RawHttpServer.WriteAsync(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":\"chatcmpl-1\","));
        var provider = Provider(ProviderKind.OpenAI, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string>());

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>(), stream: false));

        Assert.Equal(ProbeOutcome.StreamError, sample.Outcome);
        Assert.Equal(200, sample.HttpStatus);
    }

    [Fact]
    public async Task StreamEndingWithoutEndMarker_IsStreamError()
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" +
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n" +
            "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"po\"}}\n\n"));
        var provider = Provider(ProviderKind.Anthropic, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string>());

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>()));

        Assert.Equal(ProbeOutcome.StreamError, sample.Outcome);
        Assert.NotNull(sample.TimeToFirstToken);
    }

    [Theory]
    [InlineData(ProviderKind.Anthropic,
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
        ProbeOutcome.Overloaded)]
    [InlineData(ProviderKind.OpenAICompatible,
        "data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"server_error\",\"code\":\"server_is_overloaded\"}}\n\n",
        ProbeOutcome.Overloaded)]
    [InlineData(ProviderKind.OpenAI,
        "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":null}}\n\n",
        ProbeOutcome.StreamError)]
    public async Task StreamOpeningWithAnErrorEvent_IsClassifiedByTheError_WithNoTimeToFirstToken(ProviderKind kind, string events, ProbeOutcome outcome)
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events));
        var provider = Provider(kind, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string>());

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>()));

        Assert.Equal(outcome, sample.Outcome);
        Assert.Equal(200, sample.HttpStatus);
        Assert.Null(sample.TimeToFirstToken);
        Assert.StartsWith("stream opened with an error event", sample.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ProviderKind.Anthropic, "")]
    [InlineData(ProviderKind.OpenAI, "")]
    public async Task StreamClosingWithNoEvent_IsMalformed(ProviderKind kind, string events)
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" + events));
        var provider = Provider(kind, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string>());

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>()));

        Assert.Equal(ProbeOutcome.MalformedResponse, sample.Outcome);
        Assert.Equal("http 200: no server-sent events in the body", sample.Detail);
    }

    [Fact]
    public async Task StreamEndingWithoutAnyContent_IsMalformed()
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n" +
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n" +
            "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
        var provider = Provider(ProviderKind.Anthropic, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string>());

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>()));

        Assert.Equal(ProbeOutcome.MalformedResponse, sample.Outcome);
        Assert.Equal("http 200: stream ended without content", sample.Detail);
    }

    [Theory]
    [InlineData(ProviderKind.Anthropic, """{"id":"msg_1","type":"message","role":"assistant","content":[],"stop_reason":"end_turn"}""", "message has no content")]
    [InlineData(ProviderKind.OpenAI, """{"id":"chatcmpl-1","object":"chat.completion","choices":[]}""", "completion has no choices")]
    [InlineData(ProviderKind.Gemini, """{"candidates":[]}""", "response has no candidates")]
    public async Task JsonAnswerWithNothingInIt_IsMalformed(ProviderKind kind, string body, string reason)
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream,
            $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}"));
        var provider = Provider(kind, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string>());

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>(), stream: false));

        Assert.Equal(ProbeOutcome.MalformedResponse, sample.Outcome);
        Assert.Equal($"http 200: {reason}", sample.Detail);
    }

    [Fact]
    public async Task JsonWhereAStreamWasAsked_IsMalformed()
    {
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));
        var provider = Provider(ProviderKind.Gemini, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string>());

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>()));

        Assert.Equal(ProbeOutcome.MalformedResponse, sample.Outcome);
        Assert.Equal("http 200: expected text/event-stream", sample.Detail);
    }

    [Fact]
    public async Task GoogleRetryInfo_BecomesRetryAfter()
    {
        const string body = """{"error":{"code":429,"message":"Resource exhausted.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"12s"}]}}""";
        await using var server = new RawHttpServer(stream => RawHttpServer.WriteAsync(stream,
            $"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"));
        var provider = Provider(ProviderKind.Gemini, server.BaseUrl, new ApiKeySource(_variable, null), new Dictionary<string, string>());

        var sample = await ProbeAsync(provider, Target(provider, new Dictionary<string, string>()));

        Assert.Equal(ProbeOutcome.RateLimited, sample.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(12), sample.RetryAfter);
    }

    private static ProviderDefinition Provider(ProviderKind kind, Uri baseUrl, ApiKeySource? key, Dictionary<string, string> headers) =>
        new($"wire-{kind.ToName()}", kind, baseUrl, key, headers, null);

    private static TargetDefinition Target(ProviderDefinition provider, Dictionary<string, string> headers, bool stream = true) =>
        new(
            TargetId.For(provider.Id, "m-1"),
            provider.Id,
            "m-1",
            new ProbeSettings(ProbeMode.Inference, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), 1, "ping", stream, headers));

    private static async Task<ProbeSample> ProbeAsync(ProviderDefinition provider, TargetDefinition target, CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        services.AddSingleton(new ProviderCatalog([provider], [target], []));
        services.AddProbeClients();
        await using var built = services.BuildServiceProvider();
        return await built.GetRequiredService<IProbeExecutor>().ProbeAsync(target, CancellationToken.None);
    }
}
