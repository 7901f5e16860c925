using System.Globalization;
using System.Net.Http.Headers;
using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Limits;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Upstreams;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// One client request, in stages: read → plan (route → candidates) → for each candidate: prepare (passthrough, or
/// translate into the target's API) → attempt → relay the answer or record the failure and move on. Until content
/// reaches the client any failure moves to the next target, whatever its API (the safety net); after that, the
/// answer is that target's. Every outcome is written down by <see cref="AttemptRecorder"/>.
/// </summary>
internal sealed class ChatForwarder(
    RoutePlanner planner,
    UpstreamAttempt upstream,
    AnswerRelay relay,
    AttemptRecorder recorder,
    CodecRegistry codecs,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ConcurrencyLimiter limiter)
{
    // Client headers worth passing on when the client speaks the target's own API; credentials never are.
    private static readonly string[] PassthroughHeaders = ["accept", "anthropic-version", "anthropic-beta", "user-agent"];

    private const string DefaultAnthropicVersion = "2023-06-01";

    private static readonly Dictionary<string, string> EmptyHeaders = [];

    private readonly GatewayOptions _options = options.Value;

    public async Task ForwardAsync(HttpContext context, ApiFormat format)
    {
        var started = time.GetTimestamp();
        var client = codecs.Client(format);
        var api = ApiLabel(format);
        var bytes = await RequestBody.ReadAsync(context.Request, _options.MaxRequestBodyBytes, context.RequestAborted);
        if (bytes is null)
        {
            await RefuseAsync(context, client, GatewayMetrics.UnknownRoute, api,
                new ApiFault(413, FaultKind.RequestTooLarge, $"The request body exceeds {_options.MaxRequestBodyBytes} bytes."));
            return;
        }

        if (RequestBody.TryParse(bytes, out var problem) is not { } body)
        {
            await RefuseAsync(context, client, GatewayMetrics.UnknownRoute, api, ApiErrors.BadRequest(problem!));
            return;
        }

        var plan = planner.Plan(body.Model);
        if (plan.Refusal is { } refusal)
        {
            await RefuseAsync(context, client, plan.Route, api, refusal);
            return;
        }

        await TryCandidatesAsync(context, client, api, body, plan, started);
    }

    private async Task TryCandidatesAsync(HttpContext context, IClientCodec client, string api, RequestBody body, Plan plan, long started)
    {
        var route = plan.Route;
        ChatRequest? decoded = null;
        AttemptResult? lastFailure = null;
        var lastFailureNative = false;
        AttemptResult? lastRejection = null;
        string? unservable = null;
        var attempts = 0;
        var limited = false;
        var critical = RequestClasses.IsCritical(RequestClasses.Requested(context.Request));
        try
        {
            foreach (var candidate in plan.Candidates)
            {
                var remaining = _options.AttemptBudget - time.GetElapsedTime(started);
                if (attempts >= _options.MaxAttempts || remaining <= TimeSpan.Zero)
                {
                    break;
                }

                var target = candidate.Target;
                var provider = codecs.Provider(candidate.Provider.Kind);
                // A target with an overlay is always served through the codecs: the overlay edits the decoded request.
                var native = candidate.Provider.NativeFormat == client.Format && target.Overlay is null;
                ChatRequest? translated = null;
                HttpRequestMessage request;
                if (native)
                {
                    request = Passthrough(context, candidate, body);
                }
                else
                {
                    try
                    {
                        decoded ??= client.DecodeRequest(body.Bytes);
                    }
                    catch (InvalidRequestException e)
                    {
                        // Invalid in the client's own API: no target would make sense of it.
                        await RefuseAsync(context, client, route, api, ApiErrors.BadRequest(e.Message));
                        return;
                    }

                    if (decoded.NativeOnly.Count > 0)
                    {
                        AttemptRecorder.Skipped(route, target.Target, "native_only");
                        unservable ??= decoded.NativeOnly[0];
                        continue;
                    }

                    translated = target.Overlay is { } overlay ? OverlayApplier.Apply(decoded, overlay) : decoded;
                    try
                    {
                        request = Translated(context, candidate, provider, translated);
                    }
                    catch (NotTranslatableException e)
                    {
                        AttemptRecorder.Skipped(route, target.Target, "not_translatable");
                        unservable ??= e.Feature;
                        continue;
                    }
                }

                if (lastFailure is not null)
                {
                    AttemptRecorder.Retried(route, lastFailure.Outcome);
                }

                // Held until the answer is relayed: a stream in progress still loads the target.
                using var lease = limiter.TryAcquire(target.Target, critical);
                if (lease is null)
                {
                    request.Dispose();
                    limited = true;
                    continue;
                }

                attempts++;
                var result = await SendAsync(request, provider, body.Stream, remaining, context.RequestAborted);
                lease.Observe(result, body.Stream);
                switch (result.Kind)
                {
                    case AttemptKind.ClientLeft:
                        result.Dispose();
                        AttemptRecorder.Finished(route, api, "client_cancelled");
                        return;

                    case AttemptKind.Failed:
                        recorder.Failed(route, target.Target, result.Outcome, result.HeadersLatency, attempts);
                        lastFailure?.Dispose();
                        (lastFailure, lastFailureNative) = (result, native);
                        continue;

                    case AttemptKind.Rejected when native:
                        AttemptRecorder.Rejected(route, target.Target);
                        AttemptRecorder.Finished(route, api, AttemptRecorder.ClientError);
                        await WriteUpstreamErrorAsync(context, result, target.Target, attempts, relayHeaders: true);
                        result.Dispose();
                        return;

                    case AttemptKind.Rejected:
                        // A translated request the target calls invalid may be our translation's limit, not the
                        // client's mistake: another target may take it. Its error is kept in case none does.
                        AttemptRecorder.Rejected(route, target.Target);
                        lastRejection?.Dispose();
                        lastRejection = result;
                        continue;
                }

                var delivery = new Delivery(client, provider, translated, target.Target, target.Model, attempts);
                GatewayMetrics.UpstreamTimeToFirstByte.WithLabels(target.Target).Observe(result.HeadersLatency!.Value.TotalSeconds);
                GatewayMetrics.AddedLatency.WithLabels(api).Observe(Math.Max(0, (time.GetElapsedTime(started) - result.ReadyAfter).TotalSeconds));
                using (result)
                {
                    var outcome = await relay.RelayAsync(context, result, delivery);
                    recorder.Answered(route, target.Target, result.HeadersLatency.Value, outcome == RelayResult.UpstreamFailed, body.Stream);
                    AttemptRecorder.Finished(route, api, outcome switch
                    {
                        RelayResult.UpstreamFailed => "stream_error",
                        RelayResult.ClientLeft => "client_cancelled",
                        _ => "success",
                    });
                }

                return;
            }

            if (limited && attempts == 0)
            {
                await LimitedAsync(context, client, api, route);
                return;
            }

            await ExhaustedAsync(context, client, api, route, attempts, lastFailure, lastFailureNative, lastRejection, unservable);
        }
        finally
        {
            lastFailure?.Dispose();
            lastRejection?.Dispose();
        }
    }

    private async Task<AttemptResult> SendAsync(HttpRequestMessage request, IProviderCodec provider, bool stream, TimeSpan remaining, CancellationToken aborted)
    {
        using (request)
        {
            return await upstream.SendAsync(request, provider, stream, remaining, aborted);
        }
    }

    /// <summary>Same API on both sides: the client's bytes with only <c>model</c> spliced.</summary>
    private static HttpRequestMessage Passthrough(HttpContext context, Candidate candidate, RequestBody body)
    {
        var format = candidate.Provider.NativeFormat;
        var url = candidate.Provider.UrlFor(format.PassthroughPath() + context.Request.QueryString.Value);
        var request = NewRequest(url, body.BodyFor(candidate.Target.Model));
        foreach (var name in PassthroughHeaders)
        {
            if (context.Request.Headers.TryGetValue(name, out var values))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        Finish(request, candidate);
        return request;
    }

    /// <summary>Another API: the decoded request encoded for the target's own API.</summary>
    /// <exception cref="NotTranslatableException">The target's API cannot express the request faithfully.</exception>
    private static HttpRequestMessage Translated(HttpContext context, Candidate candidate, IProviderCodec provider, ChatRequest translated)
    {
        var encoded = provider.EncodeRequest(translated, candidate.Target.Model);
        var request = NewRequest(candidate.Provider.UrlFor(encoded.PathAndQuery), encoded.Body);
        if (context.Request.Headers.UserAgent is { Count: > 0 } agent)
        {
            request.Headers.TryAddWithoutValidation("user-agent", (IEnumerable<string?>)agent);
        }

        request.Headers.TryAddWithoutValidation("accept", translated.Stream ? "text/event-stream" : "application/json");
        if (candidate.Provider.NativeFormat == ApiFormat.AnthropicMessages && context.Request.Headers.TryGetValue("anthropic-beta", out var beta))
        {
            request.Headers.TryAddWithoutValidation("anthropic-beta", (IEnumerable<string?>)beta); // an Anthropic client's own flags
        }

        foreach (var (name, value) in candidate.Target.Overlay?.Headers ?? EmptyHeaders)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value); // validated at catalog load: never credentials or hop-by-hop
        }

        Finish(request, candidate);
        return request;
    }

    private static HttpRequestMessage NewRequest(Uri url, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    private static void Finish(HttpRequestMessage request, Candidate candidate)
    {
        if (candidate.Provider.NativeFormat == ApiFormat.AnthropicMessages && !request.Headers.Contains("anthropic-version"))
        {
            request.Headers.TryAddWithoutValidation("anthropic-version", DefaultAnthropicVersion);
        }

        candidate.Provider.Authenticate(request);
    }

    private async Task ExhaustedAsync(
        HttpContext context, IClientCodec client, string api, string route, int attempts,
        AttemptResult? failure, bool failureNative, AttemptResult? rejection, string? unservable)
    {
        if (failure is null && rejection is not null)
        {
            // Every target that was tried called the request invalid: that is the client's answer.
            AttemptRecorder.Finished(route, api, AttemptRecorder.ClientError);
            await ApiErrors.WriteAsync(context, client, rejection.Fault!);
            return;
        }

        if (failure is null && attempts == 0 && unservable is not null)
        {
            await RefuseAsync(context, client, route, api, ApiErrors.BadRequest(
                $"No target of route '{route}' can serve this request faithfully: '{unservable}' has no equivalent in the APIs of its " +
                "targets, and no target that speaks this API natively is available (docs/gateway.md, translation table)."));
            return;
        }

        AttemptRecorder.Finished(route, api, "upstream_failed");
        recorder.Exhausted(route, attempts, failure?.Outcome ?? "none");
        if (failure is { Status: not null, Fault: { } fault })
        {
            if (failureNative && failure.ErrorBody.Length > 0)
            {
                // The last provider's own error (a 529 overloaded_error, a 429 with its retry-after…), in the client's API.
                await WriteUpstreamErrorAsync(context, failure, target: null, attempts, relayHeaders: false);
                return;
            }

            context.Response.Headers["x-gateway-attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
            await ApiErrors.WriteAsync(context, client, fault);
            return;
        }

        context.Response.Headers["x-gateway-attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
        await ApiErrors.WriteAsync(context, client, failure?.Outcome == ControlPlane.Contracts.Outcomes.Timeout
            ? new ApiFault(504, FaultKind.Timeout, Exhausted(route, attempts, failure), "upstream_timeout")
            : new ApiFault(502, FaultKind.Server, Exhausted(route, attempts, failure), "upstream_failed"));
    }

    /// <summary>Every candidate was at its concurrency limit: nothing was tried, so the client may retry shortly.</summary>
    private Task LimitedAsync(HttpContext context, IClientCodec client, string api, string route)
    {
        AttemptRecorder.Finished(route, api, "concurrency_limited");
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(limiter.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["x-gateway-attempts"] = "0";
        return ApiErrors.WriteAsync(context, client, new ApiFault(503, FaultKind.Unavailable,
            $"Every target of route '{route}' is at its concurrency limit; retry shortly.", "concurrency_limited"));
    }

    private static string Exhausted(string route, int attempts, AttemptResult? last) =>
        $"Every target tried for route '{route}' failed before answering ({attempts} attempt(s); last: {last?.Outcome ?? "none"}).";

    private static async Task WriteUpstreamErrorAsync(HttpContext context, AttemptResult result, string? target, int attempts, bool relayHeaders)
    {
        context.Response.StatusCode = result.Status!.Value;
        if (relayHeaders && result.Response is { } response)
        {
            AnswerRelay.CopyHeaders(response.Headers, context.Response);
            AnswerRelay.CopyHeaders(response.Content.Headers, context.Response);
        }

        context.Response.ContentType = result.ErrorContentType?.ToString() ?? "application/json";
        context.Response.ContentLength = result.ErrorBody.Length;
        if (target is not null)
        {
            context.Response.Headers["x-gateway-target"] = target;
        }

        context.Response.Headers["x-gateway-attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
        await context.Response.Body.WriteAsync(result.ErrorBody, context.RequestAborted);
    }

    private static Task RefuseAsync(HttpContext context, IClientCodec client, string route, string api, ApiFault fault)
    {
        AttemptRecorder.Finished(route, api, "rejected");
        return ApiErrors.WriteAsync(context, client, fault);
    }

    internal static string ApiLabel(ApiFormat format) => format switch
    {
        ApiFormat.AnthropicMessages => "anthropic",
        ApiFormat.OpenAiResponses => "responses",
        _ => "openai",
    };
}
