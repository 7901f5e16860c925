using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Traffic;
using ControlPlane.Gateway.Upstreams;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// One client request: pick targets from the routing table, send to the first, and — while nothing has reached the
/// client yet — move to the next target on a connect error, a timeout to response headers, 5xx, 529 or 429
/// (the safety net). Once the first byte is out, the answer is that target's: a failure then ends the stream
/// with an error event in the client's API format.
/// </summary>
internal sealed partial class ChatForwarder(
    IRouteSelector selector,
    IRoutingTableSource table,
    ProviderRegistry providers,
    HttpMessageInvoker http,
    TrafficRecorder traffic,
    LocalBreaker breaker,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ILogger<ChatForwarder> logger)
{
    // Client headers worth passing on; credentials and hop-by-hop headers never are.
    private static readonly string[] ForwardedRequestHeaders = ["accept", "anthropic-version", "anthropic-beta", "user-agent"];

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
    };

    private const string DefaultAnthropicVersion = "2023-06-01";
    private const int MaxErrorBodyBytes = 64 * 1024;

    private readonly GatewayOptions _options = options.Value;

    public async Task ForwardAsync(HttpContext context, ApiFormat format)
    {
        var started = time.GetTimestamp();
        var api = format == ApiFormat.OpenAiChat ? "openai" : "anthropic";
        var body = await ReadBodyAsync(context);
        if (body is null)
        {
            GatewayMetrics.Requests.WithLabels(GatewayMetrics.UnknownRoute, api, "rejected").Inc();
            await ApiErrors.WriteAsync(context, format, GatewayError.TooLarge, $"The request body exceeds {_options.MaxRequestBodyBytes} bytes.");
            return;
        }

        if (ChatRequest.TryParse(body, out var problem) is not { } request)
        {
            GatewayMetrics.Requests.WithLabels(GatewayMetrics.UnknownRoute, api, "rejected").Inc();
            await ApiErrors.WriteAsync(context, format, GatewayError.BadRequest, problem!);
            return;
        }

        IReadOnlyList<TargetSelection> order;
        try
        {
            order = selector.SelectOrder(request.Model);
        }
        catch (RoutingSelectionException e)
        {
            var (error, route) = e switch
            {
                UnknownRouteException => (GatewayError.NotFound, GatewayMetrics.UnknownRoute),
                RouteUnavailableException => (GatewayError.Unavailable, request.Model),
                _ => (GatewayError.Unavailable, GatewayMetrics.UnknownRoute),
            };
            var message = e switch
            {
                UnknownRouteException => $"The model '{request.Model}' is not a route of this gateway (GET /v1/models lists them).",
                NoRoutingTableException => "The gateway has no routing table yet; retry shortly.",
                _ => e.Message,
            };
            GatewayMetrics.Requests.WithLabels(route, api, "rejected").Inc();
            await ApiErrors.WriteAsync(context, format, error, message);
            return;
        }

        var candidates = Candidates(order, format, out var servesFormat);
        if (candidates.Count == 0)
        {
            GatewayMetrics.Requests.WithLabels(request.Model, api, "rejected").Inc();
            await (servesFormat
                ? ApiErrors.WriteAsync(context, format, GatewayError.BadGateway,
                    $"No target of route '{request.Model}' has a provider configured on this gateway.")
                : ApiErrors.WriteAsync(context, format, GatewayError.BadRequest,
                    $"Route '{request.Model}' has no target that serves the Anthropic Messages API (only anthropic providers do); " +
                    "send this route's traffic to POST /v1/chat/completions instead."));
            return;
        }

        await TryTargetsAsync(context, format, api, request, candidates, started);
    }

    private async Task TryTargetsAsync(
        HttpContext context, ApiFormat format, string api, ChatRequest request, List<Candidate> candidates, long started)
    {
        var route = request.Model;
        var headersTimeout = request.Stream ? _options.StreamingResponseHeadersTimeout : _options.ResponseHeadersTimeout;
        Failure? last = null;
        var attempts = 0;
        foreach (var candidate in candidates)
        {
            var remaining = _options.AttemptBudget - time.GetElapsedTime(started);
            if (attempts >= _options.MaxAttempts || remaining <= TimeSpan.Zero)
            {
                break;
            }

            if (last is not null)
            {
                GatewayMetrics.Retries.WithLabels(route, last.Outcome).Inc();
            }

            attempts++;
            var target = candidate.Target;
            using var upstreamRequest = BuildRequest(context, candidate, format, request.BodyFor(target.Model));
            using var headersTimer = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            headersTimer.CancelAfter(headersTimeout < remaining ? headersTimeout : remaining);
            var attemptStarted = time.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(upstreamRequest, headersTimer.Token);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                GatewayMetrics.Requests.WithLabels(route, api, "client_cancelled").Inc();
                return; // The client left; nobody to answer and nothing to blame the target for.
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
                var outcome = e is OperationCanceledException ? Outcomes.Timeout : Outcomes.ConnectFailure;
                last = new Failure(outcome, null, null, null);
                CountFailure(route, target.Target, outcome, time.GetElapsedTime(attemptStarted));
                LogAttemptFailed(logger, route, target.Target, outcome, attempts);
                continue;
            }

            var upstreamTtfb = time.GetElapsedTime(attemptStarted);
            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is >= 200 and < 300)
                {
                    GatewayMetrics.UpstreamTimeToFirstByte.WithLabels(target.Target).Observe(upstreamTtfb.TotalSeconds);
                    await RelayAsync(context, format, api, response, target, started, upstreamTtfb, attempts);
                    return;
                }

                var errorBody = await ReadErrorBodyAsync(response, headersTimer.Token);
                var (outcome, disposition) = AttemptClassifier.Classify(status, errorBody);
                if (disposition == Disposition.ReturnToClient)
                {
                    GatewayMetrics.Attempts.WithLabels(route, target.Target, "client_error").Inc();
                    GatewayMetrics.Requests.WithLabels(route, api, "client_error").Inc();
                    await WriteUpstreamErrorAsync(context, status, response, errorBody, target, attempts);
                    return;
                }

                last = new Failure(outcome, status, errorBody, response.Content.Headers.ContentType);
                CountFailure(route, target.Target, outcome, upstreamTtfb);
                LogAttemptFailed(logger, route, target.Target, outcome, attempts);
            }
        }

        GatewayMetrics.Requests.WithLabels(route, api, "upstream_failed").Inc();
        LogExhausted(logger, route, attempts, last?.Outcome ?? "none");
        if (last is { Status: { } lastStatus } failure)
        {
            // The last provider's own error (a 529 overloaded_error, a 429 with its retry-after…), already in the
            // client's API shape because the format decided which endpoints we called.
            context.Response.StatusCode = lastStatus;
            context.Response.ContentType = failure.ContentType?.ToString() ?? "application/json";
            context.Response.Headers["x-gateway-attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
            await context.Response.Body.WriteAsync(failure.Body, context.RequestAborted);
            return;
        }

        await ApiErrors.WriteAsync(context, format,
            last?.Outcome == Outcomes.Timeout ? GatewayError.GatewayTimeout : GatewayError.BadGateway,
            $"Every target tried for route '{route}' failed before answering ({attempts} attempt(s); last: {last?.Outcome ?? "none"}).");
    }

    private List<Candidate> Candidates(IReadOnlyList<TargetSelection> order, ApiFormat format, out bool servesFormat)
    {
        var candidates = new List<Candidate>(order.Count);
        var wrongFormat = 0;
        foreach (var target in order)
        {
            if (providers.Find(target.Provider) is not { } provider)
            {
                continue; // A target this gateway has no endpoint for: another gateway's business.
            }

            if (provider.UrlFor(format) is not { } url)
            {
                wrongFormat++;
                continue;
            }

            candidates.Add(new Candidate(target, provider, url));
        }

        servesFormat = candidates.Count > 0 || wrongFormat == 0;

        // With a fresh table the control plane's breakers decide; only a stale one needs our own memory of failures.
        if (table.Staleness is { } staleness && staleness > _options.LocalBreaker.StaleAfter && candidates.Count > 1)
        {
            var healthy = candidates.Where(c => !breaker.IsOpen(c.Target.Target)).ToList();
            foreach (var skipped in candidates.Except(healthy))
            {
                GatewayMetrics.LocalBreakerSkips.WithLabels(skipped.Target.Target).Inc();
            }

            // Never a black hole: every target cooling down means trying them anyway.
            return healthy.Count > 0 ? healthy : candidates;
        }

        return candidates;
    }

    private static HttpRequestMessage BuildRequest(HttpContext context, Candidate candidate, ApiFormat format, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, candidate.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var name in ForwardedRequestHeaders)
        {
            if (context.Request.Headers.TryGetValue(name, out var values))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        if (format == ApiFormat.AnthropicMessages && !request.Headers.Contains("anthropic-version"))
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", DefaultAnthropicVersion);
        }

        candidate.Provider.Authenticate(request, format);
        return request;
    }

    private async Task RelayAsync(
        HttpContext context, ApiFormat format, string api, HttpResponseMessage response, TargetSelection target, long started, TimeSpan upstreamTtfb, int attempts)
    {
        var client = context.Response;
        client.StatusCode = (int)response.StatusCode;
        CopyHeaders(response.Headers, client);
        CopyHeaders(response.Content.Headers, client);
        client.Headers["x-gateway-target"] = target.Target;
        client.Headers["x-gateway-attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
        var added = time.GetElapsedTime(started) - upstreamTtfb;
        GatewayMetrics.AddedLatency.WithLabels(api).Observe(Math.Max(0, added.TotalSeconds));

        var sse = string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
        var relay = new BodyRelay(format, sse, _options.BodyIdleTimeout);
        var result = await relay.RunAsync(await response.Content.ReadAsStreamAsync(context.RequestAborted), context);

        var outcome = result == RelayResult.UpstreamFailed ? Outcomes.StreamError : Outcomes.Success;
        if (result == RelayResult.UpstreamFailed)
        {
            LogStreamFailed(logger, target.Route, target.Target, sse);
            breaker.RecordFailure(target.Target);
        }
        else
        {
            breaker.RecordSuccess(target.Target);
        }

        traffic.Record(target.Target, outcome, upstreamTtfb);
        GatewayMetrics.Attempts.WithLabels(target.Route, target.Target, outcome).Inc();
        GatewayMetrics.Requests.WithLabels(target.Route, api, result switch
        {
            RelayResult.UpstreamFailed => "stream_error",
            RelayResult.ClientLeft => "client_cancelled",
            _ => "success",
        }).Inc();
    }

    private static async Task WriteUpstreamErrorAsync(
        HttpContext context, int status, HttpResponseMessage response, byte[] body, TargetSelection target, int attempts)
    {
        context.Response.StatusCode = status;
        CopyHeaders(response.Headers, context.Response);
        CopyHeaders(response.Content.Headers, context.Response);
        context.Response.Headers.ContentLength = body.Length;
        context.Response.Headers["x-gateway-target"] = target.Target;
        context.Response.Headers["x-gateway-attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    private void CountFailure(string route, string target, string outcome, TimeSpan latency)
    {
        traffic.Record(target, outcome, outcome == Outcomes.Timeout || outcome == Outcomes.ConnectFailure ? null : latency);
        breaker.RecordFailure(target);
        GatewayMetrics.Attempts.WithLabels(route, target, outcome).Inc();
    }

    private static void CopyHeaders(HttpHeaders from, HttpResponse to)
    {
        foreach (var (name, values) in from)
        {
            if (!HopByHop.Contains(name))
            {
                to.Headers[name] = new StringValues(values.ToArray());
            }
        }
    }

    /// <returns>The body, or null when it is larger than allowed.</returns>
    private async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        var limit = _options.MaxRequestBodyBytes;
        if (context.Request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                return null;
            }

            var exact = new byte[declared];
            await context.Request.Body.ReadExactlyAsync(exact, context.RequestAborted);
            return exact;
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    private static async Task<byte[]> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[8192];
            int read;
            while (buffer.Length < MaxErrorBodyBytes && (read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return []; // The status code alone classifies it.
        }
    }

    private sealed record Candidate(TargetSelection Target, UpstreamProvider Provider, Uri Url);

    private sealed record Failure(string Outcome, int? Status, byte[]? Body, MediaTypeHeaderValue? ContentType)
    {
        public byte[] Body { get; } = Body ?? [];
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Route {Route}: target {Target} failed before answering ({Outcome}), attempt {Attempt}")]
    private static partial void LogAttemptFailed(ILogger logger, string route, string target, string outcome, int attempt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Route {Route}: every target tried failed ({Attempts} attempts, last {Outcome})")]
    private static partial void LogExhausted(ILogger logger, string route, int attempts, string outcome);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Route {Route}: target {Target} failed mid-response (stream {Stream}); the client got an error event or a broken connection")]
    private static partial void LogStreamFailed(ILogger logger, string route, string target, bool stream);
}
