using System.Globalization;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Contracts.Providers;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Translation;
using Prometheus;

namespace ControlPlane.Gateway.Degradation;

/// <summary>
/// The forwarder's error-class fallbacks (issue #15, item 5): which candidates a request too long for them skips, which
/// refusals move the request on, and how a refusal reaches the client when no target is left. A refusal is written
/// down under its own outcome label and never as a failure: no traffic report, no local breaker.
/// </summary>
internal static class ErrorFallbacks
{
    public static readonly Counter ContextWindowSkips = Metrics.CreateCounter(
        "gateway_context_window_skips_total",
        "Targets not tried because their context window is too small for the request, by route, target and when it was known " +
        "(estimate: before sending, from the gateway's token estimate; refusal: after a target refused the request as too long).",
        "route", "target", "when");

    /// <summary>
    /// Targets whose known window is clearly smaller than the request (<see cref="ContextWindowFallback.ClearMargin"/>),
    /// by id; none when no candidate has a window, or when all would be skipped. Decodes the request only when its size
    /// could matter, and hands the decoded request back for the forwarder to reuse.
    /// </summary>
    public static IReadOnlySet<string> SkippedUpFront(IReadOnlyList<Candidate> candidates, RequestBody body, IClientCodec client, ref ChatRequest? decoded)
    {
        var smallest = candidates.Min(c => c.Target.ContextWindow);
        // Every character is at least one byte: a body this short cannot be clearly too long for any window.
        if (smallest is not { } window || !ContextWindowFallback.IsClearlyTooSmall(window, (body.Bytes.Length + 3) / 4))
        {
            return Empty;
        }

        try
        {
            decoded ??= client.DecodeRequest(body.Bytes);
        }
        catch (InvalidRequestException)
        {
            return Empty; // the forwarder refuses it in the client's terms when it decodes it
        }

        var estimate = TokenCounter.Estimate(decoded);
        var skipped = ContextWindowFallback.SkippedUpFront(candidates.Select(c => c.Target.ContextWindow).ToList(), estimate);
        return skipped.Count == 0 ? Empty : skipped.Select(i => candidates[i].Target.Target).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether to pass over a candidate for its context window; counts the skip.</summary>
    public static bool Skip(string route, TargetSelection target, IReadOnlySet<string> tooLong, ContextWindowFallback windows)
    {
        var when = windows.Skips(target.ContextWindow) ? "refusal" : tooLong.Contains(target.Target) ? "estimate" : null;
        if (when is null)
        {
            return false;
        }

        ContextWindowSkips.WithLabels(route, target.Target, when).Inc();
        return true;
    }

    /// <summary>Whether a rejected attempt moves the request on: a window too small, or a content policy the route lets others judge.</summary>
    public static bool MovesOn(AttemptResult result, TargetSelection target) =>
        result.Refusal == Refusals.ContextWindow
        || (result.Refusal == Refusals.ContentPolicy && target.OnContentPolicy == ContentPolicyRules.NextTarget);

    /// <summary>Writes a refusal down: its own outcome label, and what a context-window refusal says about windows.</summary>
    public static void Refused(string route, TargetSelection target, AttemptResult result, ContextWindowFallback windows)
    {
        GatewayMetrics.Attempts.WithLabels(route, target.Target, result.Refusal!).Inc();
        if (result.Refusal == Refusals.ContextWindow)
        {
            windows.RecordRefusal(target.ContextWindow, result.Window);
        }
    }

    /// <summary>
    /// The provider's refusal for the client: as it came to a client of the provider's own API, else translated into
    /// the client's API (an OpenAI client gets <c>context_length_exceeded</c>, the code its SDK knows).
    /// </summary>
    public static Task WriteRefusalAsync(HttpContext context, IClientCodec client, AttemptResult refusal, bool native, string? target, int attempts)
    {
        if (native && refusal.ErrorBody.Length > 0)
        {
            return ChatForwarder.WriteUpstreamErrorAsync(context, refusal, target, attempts, relayHeaders: target is not null);
        }

        var fault = refusal.Fault!;
        if (fault.Code is null)
        {
            fault = fault with { Code = refusal.Refusal == Refusals.ContextWindow ? "context_length_exceeded" : "content_policy_violation" };
        }

        if (target is not null)
        {
            context.Response.Headers["x-gateway-target"] = target;
        }

        context.Response.Headers["x-gateway-attempts"] = attempts.ToString(CultureInfo.InvariantCulture);
        return ApiErrors.WriteAsync(context, client, fault);
    }

    private static readonly IReadOnlySet<string> Empty = new HashSet<string>();
}
