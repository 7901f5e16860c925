using System.Globalization;
using System.Text.Json;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Auth;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Upstreams;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Caching;

/// <summary>A request its route's cache may answer or keep: the route's cache settings and the request's key.</summary>
internal sealed record CacheTicket(string Route, string Key, RouteCache Policy);

/// <summary>
/// The cache stage of the pipeline: admit a request (is the route caching, is the request cacheable, what is its
/// key), serve a stored answer (fresh before planning under <c>always</c>; when every target failed under either
/// mode), and keep a copy of a successful answer as the client received it. A route without a cache never gets
/// past <see cref="Admit"/>, so its answers are not copied.
/// </summary>
internal sealed class AnswerCache(
    RouteCachePolicies policies, ResponseCacheStore store, IOptions<GatewayOptions> options, TimeProvider time, ILogger<AnswerCache> logger)
{
    /// <summary>Response header on an answer served from the cache: <c>hit</c> (fresh, no target tried) or <c>stale</c>.</summary>
    public const string Header = "x-gateway-cache";

    private readonly int _maxEntryBytes = options.Value.ResponseCache.MaxEntryBytes;

    /// <returns>A ticket when the route caches and the request is cacheable; null otherwise (nothing else to do then).</returns>
    public CacheTicket? Admit(HttpContext context, ApiFormat format, string route, RequestBody body)
    {
        if (store.MaxBytes == 0 || policies.For(route) is not { } policy)
        {
            return null;
        }

        if (!CacheKeys.IsCacheable(body.Bytes, policy))
        {
            Count(route, CacheMetrics.Skipped);
            return null;
        }

        var request = context.Request;
        // Besides the body, what the answer depends on: the query string (passed through) and Anthropic's version
        // and beta flags, which change the shape of the answer itself.
        var variant = string.Join('\n', request.QueryString.Value ?? "", request.Headers["anthropic-version"].ToString(), request.Headers["anthropic-beta"].ToString());
        try
        {
            var key = CacheKeys.For(format, route, body.Bytes, variant, ClientKeyVerifier.PresentedKey(request), policy.ShareAcrossKeys);
            return new CacheTicket(route, key, policy);
        }
        catch (JsonException)
        {
            Count(route, CacheMetrics.Skipped); // no canonical form (nested deeper than 64): served, never cached
            return null;
        }
    }

    /// <summary>Under <c>always</c>, answers from a fresh entry before any target is tried.</summary>
    public async Task<bool> TryServeFreshAsync(HttpContext context, CacheTicket ticket)
    {
        if (!string.Equals(ticket.Policy.Mode, CacheModes.Always, StringComparison.Ordinal))
        {
            return false;
        }

        if (Find(ticket) is not { } answer)
        {
            Count(ticket.Route, CacheMetrics.Miss);
            return false;
        }

        Count(ticket.Route, CacheMetrics.Hit);
        await ServeAsync(context, answer, "hit");
        return true;
    }

    /// <summary>Every target failed: answers from a stored entry instead of the error, when there is one.</summary>
    public async Task<bool> TryServeStaleAsync(HttpContext context, CacheTicket ticket, int attempts)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }

        if (Find(ticket) is not { } answer)
        {
            Count(ticket.Route, CacheMetrics.Miss);
            return false;
        }

        Count(ticket.Route, CacheMetrics.StaleHit);
        Log.ServedStale(logger, ticket.Route, attempts, answer.StoredAt);
        context.Response.Headers["x-gateway-attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
        await ServeAsync(context, answer, "stale");
        return true;
    }

    /// <summary>From here on, what the client is sent is also copied (up to the entry bound).</summary>
    public Capture StartCapture(HttpContext context)
    {
        var original = context.Features.Get<IHttpResponseBodyFeature>()!;
        var copy = new AnswerCapture(original.Stream, _maxEntryBytes);
        // The prior feature keeps handling start, flush and completion; only the stream is ours.
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(copy, original));
        return new Capture(original, copy);
    }

    /// <summary>Puts the response body back and keeps the answer if it is a whole, successful one.</summary>
    public void FinishCapture(HttpContext context, CacheTicket ticket, Capture capture, bool completed)
    {
        context.Features.Set(capture.Original);
        var response = context.Response;
        if (!completed || response.StatusCode != StatusCodes.Status200OK || response.ContentType is not { Length: > 0 } contentType)
        {
            return; // A failed or broken-off answer is not known good.
        }

        if (capture.Copy.Overflowed || response.Headers.ContentEncoding.Count > 0)
        {
            Count(ticket.Route, CacheMetrics.Skipped);
            return;
        }

        var streamed = contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        var stored = store.Store(ticket.Key, capture.Copy.Captured.ToArray(), contentType, streamed);
        Count(ticket.Route, stored is null ? CacheMetrics.Skipped : CacheMetrics.Stored);
        Observe();
    }

    private CachedAnswer? Find(CacheTicket ticket)
    {
        var answer = store.Find(ticket.Key, TimeSpan.FromMilliseconds(ticket.Policy.TtlMs));
        Observe();
        return answer;
    }

    private async Task ServeAsync(HttpContext context, CachedAnswer answer, string how)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = answer.ContentType;
        response.Headers[Header] = how;
        response.Headers.Age = Math.Max(0, (long)(time.GetUtcNow() - answer.StoredAt).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        if (answer.Streamed)
        {
            // The events as first sent, in one write: the same stream to the client's parser.
            response.Headers.CacheControl = "no-cache";
        }
        else
        {
            response.ContentLength = answer.Body.Length;
        }

        await response.Body.WriteAsync(answer.Body, context.RequestAborted);
        await response.Body.FlushAsync(context.RequestAborted);
    }

    private void Observe()
    {
        CacheMetrics.Bytes.Set(store.Bytes);
        CacheMetrics.Entries.Set(store.Count);
    }

    private static void Count(string route, string result) => CacheMetrics.Requests.WithLabels(route, result).Inc();

    /// <summary>The response body feature replaced while copying, and the copy.</summary>
    internal sealed record Capture(IHttpResponseBodyFeature Original, AnswerCapture Copy);
}
