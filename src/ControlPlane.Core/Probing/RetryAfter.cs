using System.Globalization;

namespace ControlPlane.Core.Probing;

/// <summary>Reads the providers' retry hints: <c>retry-after</c> (seconds or HTTP date) and OpenAI's <c>retry-after-ms</c>.</summary>
public static class RetryAfter
{
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
