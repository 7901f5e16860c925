using System.Globalization;
using System.Net.Http.Headers;
using ControlPlane.Gateway.Degradation;
using ControlPlane.Gateway.Caching;
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
    RequestClasses classes,
    DegradationGate degradation,
    RoutePlanner planner,
    UpstreamAttempt upstream,
    AnswerRelay relay,
    AttemptRecorder recorder,
    CodecRegistry codecs,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    AnswerCache cache,
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

        string? requested;
        try
        {
            requested = classes.Requested(context.Request);
        }
        catch (InvalidRequestClassException e)
        {
            await RefuseAsync(context, client, GatewayMetrics.UnknownRoute, api, ApiErrors.BadRequest(e.Message));
            return;
        }

        // Round 0 obeys the route's degradation profile as the table states it. A class whose every tier then fails
        // while the table still calls the route normal (the control plane has not seen the outage yet) gets one more
        // round under the control plane's verdict — held, shed, or served elsewhere — instead of failing.
        Admission? admission = null;
        CacheTicket? cached = null;
        for (var round = 0; round < 2; round++)
        {
            var budget = _options.AttemptBudget - time.GetElapsedTime(started);
            try
            {
                admission = admission is null
                    ? await degradation.AdmitAsync(body.Model, requested, budget, context.RequestAborted)
                    : await degradation.AwaitVerdictAsync(body.Model, requested, admission, budget, context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                AttemptRecorder.Finished(admission?.Route ?? GatewayMetrics.UnknownRoute, api, "client_cancelled");
                return;
            }

            // Shedding and holding are the profile's policy, not failures: the cache does not answer them.
            if (admission.Refusal is { } shed)
            {
                await RefuseAsync(context, client, admission.Route ?? GatewayMetrics.UnknownRoute, api, shed);
                return;
            }

            var plan = planner.Plan(body.Model, admission);
            if (round == 0)
            {
                cached = cache.Admit(context, format, plan.Route, body); // null unless the route caches and the request may be cached
            }

            if (plan.Refusal is { } refusal)
            {
                // A route with no target to send to (fail-closed panic, none configured here) is every target failing.
                if (cached is not null && refusal.Status >= 500 && await cache.TryServeStaleAsync(context, cached, attempts: 0))
                {
                    AttemptRecorder.Finished(plan.Route, api, "cache_stale");
                    return;
                }

                await RefuseAsync(context, client, plan.Route, api, refusal);
                return;
            }

            if (round == 0 && cached is not null && await cache.TryServeFreshAsync(context, cached))
            {
                AttemptRecorder.Finished(plan.Route, api, "cache_hit");
                return;
            }

            var awaitVerdict = round == 0 && admission is { Class: not null, Held: false, State: ControlPlane.Contracts.DegradationStates.Normal };
            // Critical requests may use the headroom of a target's concurrency limit that others may not.
            var critical = RequestClasses.IsCritical(admission.Class ?? requested);
            var slotWaitStarted = time.GetTimestamp();
            Unanswered unanswered;
            try
            {
                while (true)
                {
                    // A held request may go on waiting, within its hold deadline, for a slot on the targets it may use.
                    var release = limiter.NextRelease;
                    var slotWait = admission.SlotWait - time.GetElapsedTime(slotWaitStarted);
                    unanswered = await TryCandidatesAsync(context, client, api, body, plan, started, cached, critical, awaitVerdict, slotWait > TimeSpan.Zero);
                    if (unanswered != Unanswered.AtLimit)
                    {
                        break;
                    }

                    try
                    {
                        await release.WaitAsync(slotWait, time, context.RequestAborted);
                    }
                    catch (TimeoutException)
                    {
                        // The next round answers 503 concurrency_limited.
                    }
                }
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                AttemptRecorder.Finished(plan.Route, api, "client_cancelled");
                return;
            }

            if (unanswered == Unanswered.Answered)
            {
                return;
            }
        }
    }

    /// <summary>Why <see cref="TryCandidatesAsync"/> left the request unanswered, if it did.</summary>
    private enum Unanswered
    {
        /// <summary>The client has its answer.</summary>
        Answered,

        /// <summary>Only upstream failures, and the caller will wait for the control plane's verdict.</summary>
        AwaitVerdict,

        /// <summary>Every target it may use was at its concurrency limit, and the caller will wait for a slot.</summary>
        AtLimit,
    }

    /// <param name="awaitVerdict">Leave the answer to the caller when only upstream failures happened.</param>
    /// <param name="awaitSlot">Leave the answer to the caller when every target was at its concurrency limit.</param>
    private async Task<Unanswered> TryCandidatesAsync(
        HttpContext context, IClientCodec client, string api, RequestBody body, Plan plan, long started, CacheTicket? cached, bool critical,
        bool awaitVerdict, bool awaitSlot)
    {
        var route = plan.Route;
        ChatRequest? decoded = null;
        using var ledger = new AttemptLedger();
        var contextWindows = new ContextWindowFallback();
        var tooLong = ErrorFallbacks.SkippedUpFront(plan.Candidates, body, client, ref decoded);
        foreach (var candidate in plan.Candidates)
        {
            var remaining = _options.AttemptBudget - time.GetElapsedTime(started);
            if (ledger.Attempts >= _options.MaxAttempts || remaining <= TimeSpan.Zero)
            {
                break;
            }

            var target = candidate.Target;
            if (ErrorFallbacks.Skip(route, target, tooLong, contextWindows))
            {
                continue;
            }

            var provider = codecs.Provider(candidate.Provider.Kind);
            HttpRequestMessage? request;
            bool native;
            ChatRequest? translated;
            try
            {
                request = Prepare(context, client, candidate, provider, body, route, ledger, ref decoded, out native, out translated);
            }
            catch (InvalidRequestException e)
            {
                // Invalid in the client's own API: no target would make sense of it.
                await RefuseAsync(context, client, route, api, ApiErrors.BadRequest(e.Message));
                return Unanswered.Answered;
            }

            if (request is null)
            {
                continue;
            }

            if (ledger.RetryCause is { } cause)
            {
                AttemptRecorder.Retried(route, cause);
            }

            // Held until the answer is relayed: a stream in progress still loads the target.
            using var lease = limiter.TryAcquire(target.Target, critical);
            if (lease is null)
            {
                request.Dispose();
                ledger.AtLimit();
                continue;
            }

            ledger.Attempted();
            var result = await SendAsync(request, provider, body.Stream, remaining, context.RequestAborted);
            lease.Observe(result, body.Stream);
            switch (result.Kind)
            {
                case AttemptKind.ClientLeft:
                    result.Dispose();
                    AttemptRecorder.Finished(route, api, "client_cancelled");
                    return Unanswered.Answered;

                case AttemptKind.Failed:
                    recorder.Failed(route, target.Target, result.Outcome, result.HeadersLatency, ledger.Attempts);
                    if (result.RetryAfterHint is { } hint)
                    {
                        recorder.RetryHint(target.Target, hint);
                    }

                    ledger.Failed(result, native);
                    continue;

                case AttemptKind.Rejected when ErrorFallbacks.MovesOn(result, target):
                    // Too long for this target, or refused by a content policy the route lets other targets judge:
                    // neither is the target's failure (no traffic report, no breaker) nor yet the client's answer.
                    ErrorFallbacks.Refused(route, target, result, contextWindows);
                    ledger.Refused(result, native);
                    continue;

                case AttemptKind.Rejected when result.Refusal is not null:
                    // A content-policy refusal under the route's default rule: the client's answer, whatever API.
                    ErrorFallbacks.Refused(route, target, result, contextWindows);
                    AttemptRecorder.Finished(route, api, result.Refusal);
                    await ErrorFallbacks.WriteRefusalAsync(context, client, result, native, target.Target, ledger.Attempts);
                    result.Dispose();
                    return Unanswered.Answered;

                case AttemptKind.Rejected when native:
                    AttemptRecorder.Rejected(route, target.Target);
                    AttemptRecorder.Finished(route, api, AttemptRecorder.ClientError);
                    await WriteUpstreamErrorAsync(context, result, target.Target, ledger.Attempts, relayHeaders: true);
                    result.Dispose();
                    return Unanswered.Answered;

                case AttemptKind.Rejected:
                    // A translated request the target calls invalid may be our translation's limit, not the
                    // client's mistake: another target may take it. Its error is kept in case none does.
                    AttemptRecorder.Rejected(route, target.Target);
                    ledger.Rejected(result);
                    continue;
            }

            using (result)
            {
                var delivery = new Delivery(client, provider, translated, target.Target, target.Model, ledger.Attempts);
                await DeliverAsync(context, api, route, body, result, delivery, cached, started);
            }

            return Unanswered.Answered;
        }

        return await AnswerExhaustedAsync(context, client, api, route, ledger, cached, awaitVerdict, awaitSlot);
    }

    /// <summary>
    /// The request for one candidate: the client's bytes with only <c>model</c> spliced when it speaks the client's API
    /// and has no overlay, else the decoded request (overlay applied) encoded for its API. Null when the candidate's API
    /// cannot express the request (recorded; the safety net moves on).
    /// </summary>
    /// <exception cref="InvalidRequestException">The request is invalid in the client's own API.</exception>
    private static HttpRequestMessage? Prepare(
        HttpContext context, IClientCodec client, Candidate candidate, IProviderCodec provider, RequestBody body, string route,
        AttemptLedger ledger, ref ChatRequest? decoded, out bool native, out ChatRequest? translated)
    {
        var target = candidate.Target;
        translated = null;
        // A target with an overlay is always served through the codecs: the overlay edits the decoded request.
        native = candidate.Provider.NativeFormat == client.Format && target.Overlay is null;
        if (native)
        {
            return Passthrough(context, candidate, body);
        }

        decoded ??= client.DecodeRequest(body.Bytes);
        if (decoded.NativeOnly.Count > 0)
        {
            AttemptRecorder.Skipped(route, target.Target, "native_only");
            ledger.CannotExpress(decoded.NativeOnly[0]);
            return null;
        }

        translated = target.Overlay is { } overlay ? OverlayApplier.Apply(decoded, overlay) : decoded;
        try
        {
            return Translated(context, candidate, provider, translated);
        }
        catch (NotTranslatableException e)
        {
            AttemptRecorder.Skipped(route, target.Target, "not_translatable");
            ledger.CannotExpress(e.Feature);
            return null;
        }
    }

    /// <summary>Relays a target's answer to the client (keeping a copy for the cache when the route has one) and records it.</summary>
    private async Task DeliverAsync(
        HttpContext context, string api, string route, RequestBody body, AttemptResult result, Delivery delivery, CacheTicket? cached, long started)
    {
        GatewayMetrics.UpstreamTimeToFirstByte.WithLabels(delivery.Target).Observe(result.HeadersLatency!.Value.TotalSeconds);
        GatewayMetrics.AddedLatency.WithLabels(api).Observe(Math.Max(0, (time.GetElapsedTime(started) - result.ReadyAfter).TotalSeconds));
        var capture = cached is null ? null : cache.StartCapture(context);
        var outcome = await relay.RelayAsync(context, result, delivery);
        if (capture is not null)
        {
            cache.FinishCapture(context, cached!, capture, outcome == RelayResult.Completed);
        }

        recorder.Answered(route, delivery.Target, result.HeadersLatency.Value, outcome == RelayResult.UpstreamFailed, body.Stream);
        AttemptRecorder.Finished(route, api, outcome switch
        {
            RelayResult.UpstreamFailed => "stream_error",
            RelayResult.ClientLeft => "client_cancelled",
            _ => "success",
        });
    }

    /// <summary>
    /// No target answered: the best answer left, in order — none yet, when only upstream failures happened and the
    /// caller will wait for the control plane's verdict; a known-good cached answer; a target's refusal; "every target
    /// is at its limit" (or none yet, when the caller will wait for a slot); the last failure or rejection.
    /// </summary>
    private async Task<Unanswered> AnswerExhaustedAsync(
        HttpContext context, IClientCodec client, string api, string route, AttemptLedger ledger, CacheTicket? cached, bool awaitVerdict,
        bool awaitSlot)
    {
        if (awaitVerdict && ledger.OnlyFailures)
        {
            return Unanswered.AwaitVerdict;
        }

        // Every target that was tried failed (not merely called the request invalid): a known-good answer beats the error.
        if (ledger.Failure is { } failure && cached is not null && await cache.TryServeStaleAsync(context, cached, ledger.Attempts))
        {
            AttemptRecorder.Finished(route, api, "cache_stale");
            recorder.Exhausted(route, ledger.Attempts, failure.Outcome);
            return Unanswered.Answered;
        }

        if (ledger.Refusal is { } refusal)
        {
            // Every target left was too small or refused too: the provider's own refusal, in the client's API.
            AttemptRecorder.Finished(route, api, refusal.Outcome);
            await ErrorFallbacks.WriteRefusalAsync(context, client, refusal, ledger.RefusalNative, target: null, ledger.Attempts);
            return Unanswered.Answered;
        }

        if (ledger.Limited && ledger.Attempts == 0)
        {
            if (awaitSlot)
            {
                return Unanswered.AtLimit;
            }

            await LimitedAsync(context, client, api, route);
            return Unanswered.Answered;
        }

        await ExhaustedAsync(context, client, api, route, ledger.Attempts, ledger.Failure, ledger.FailureNative, ledger.Rejection, ledger.Unservable);
        return Unanswered.Answered;
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

    internal static async Task WriteUpstreamErrorAsync(HttpContext context, AttemptResult result, string? target, int attempts, bool relayHeaders)
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
