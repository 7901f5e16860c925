using System.Globalization;

namespace ControlPlane.Contracts.Providers;

/// <summary>
/// Reads the providers' retry hints: <c>retry-after</c> (seconds or HTTP date) and OpenAI's <c>retry-after-ms</c>;
/// and bounds how long one may pause a target (probes, gateways and the control plane apply the same bound).
/// </summary>
public static class RetryAfter
{
    /// <summary>The longest a retry hint pauses a target: a provider's hour-long hint should not park a target past the breaker's own judgement.</summary>
    public static readonly TimeSpan MaxPause = TimeSpan.FromMinutes(5);

    /// <summary>Hints longer than this are taken for garbage (a misread date, a unit error) and ignored, not capped.</summary>
    public static readonly TimeSpan Absurd = TimeSpan.FromDays(1);

    /// <summary>How long a hint pauses a target: null when there is nothing to pause for (none, zero or absurd), else at most <see cref="MaxPause"/>.</summary>
    public static TimeSpan? PauseFor(TimeSpan? hint) =>
        hint is not { } delay || delay <= TimeSpan.Zero || delay > Absurd ? null
        : delay < MaxPause ? delay
        : MaxPause;

    /// <summary>When a pause ends, given the instant a peer says it ends: bounded like <see cref="PauseFor"/> from <paramref name="now"/>.</summary>
    public static DateTimeOffset? PauseUntil(DateTimeOffset until, DateTimeOffset now) =>
        PauseFor(until - now) is { } pause ? now + pause : null;

    /// <summary>The delay a response's retry headers ask for; null when they ask for none (absent or unreadable).</summary>
    /// <param name="retryAfter">The <c>retry-after</c> header: seconds, or an HTTP date.</param>
    /// <param name="retryAfterMs">OpenAI's <c>retry-after-ms</c> header, which wins when present.</param>
    /// <param name="now">The instant to measure an HTTP date from.</param>
    public static TimeSpan? Parse(string? retryAfter, string? retryAfterMs, DateTimeOffset now)
    {
        if (retryAfterMs is not null
            && double.TryParse(retryAfterMs.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        if (string.IsNullOrWhiteSpace(retryAfter))
        {
            return null;
        }

        var value = retryAfter.Trim();
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds >= 0 ? TimeSpan.FromSeconds(seconds) : null;
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var delay = at - now;
            return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
        }

        return null;
    }
}
