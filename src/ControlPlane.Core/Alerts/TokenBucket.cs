namespace ControlPlane.Core.Alerts;

/// <summary>A sink's rate limit: <see cref="Capacity"/> sends at once, refilled at <see cref="TokensPerSecond"/>.</summary>
public sealed record RateLimit(double Capacity, double TokensPerSecond)
{
    /// <summary>PagerDuty allows about 120 events a minute per routing key: a burst of 20 plus 100 a minute never exceeds it.</summary>
    public static RateLimit PagerDuty { get; } = new(20, 100.0 / 60);

    /// <summary>Slack incoming webhooks: one message per second.</summary>
    public static RateLimit Slack { get; } = new(1, 1);

    public static RateLimit Webhook { get; } = new(20, 10);
}

/// <summary>Token bucket with explicit timestamps: a value, so the sender can keep one per sink and tests can step it.</summary>
public readonly record struct TokenBucket(RateLimit Limit, double Tokens, DateTimeOffset UpdatedAt)
{
    public static TokenBucket Full(RateLimit limit, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(limit);
        return new(limit, limit.Capacity, now);
    }

    /// <summary>Takes one token if there is one; otherwise says how long until there is.</summary>
    public bool TryTake(DateTimeOffset now, out TokenBucket next, out TimeSpan wait)
    {
        var elapsed = Math.Max(0, (now - UpdatedAt).TotalSeconds);
        var tokens = Math.Min(Limit.Capacity, Tokens + (elapsed * Limit.TokensPerSecond));
        var refilled = this with { Tokens = tokens, UpdatedAt = now > UpdatedAt ? now : UpdatedAt };
        if (tokens >= 1)
        {
            next = refilled with { Tokens = tokens - 1 };
            wait = TimeSpan.Zero;
            return true;
        }

        next = refilled;
        wait = TimeSpan.FromSeconds((1 - tokens) / Limit.TokensPerSecond);
        return false;
    }
}
