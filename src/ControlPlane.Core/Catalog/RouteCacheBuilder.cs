using ControlPlane.Contracts;

namespace ControlPlane.Core.Catalog;

/// <summary>Validates a route's <c>Cache</c> section and turns it into the form the routing table carries.</summary>
public static class RouteCacheBuilder
{
    /// <summary>Used when the section sets no <c>Ttl</c>.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A week: an answer older than that is no longer "known good" for anyone, and a longer bound would only keep
    /// memory busy with entries LRU eviction has to find.
    /// </summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromDays(7);

    /// <returns>The cache, or null when the section is absent or has problems (added to <paramref name="errors"/>).</returns>
    public static RouteCache? Build(RouteCacheOptions? options, string where, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (options is null)
        {
            return null;
        }

        var before = errors.Count;
        var mode = options.Mode?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(mode))
        {
            errors.Add($"{where}:Mode is required: {string.Join(" or ", CacheModes.All)}.");
        }
        else if (!CacheModes.All.Contains(mode))
        {
            errors.Add($"{where}:Mode: unknown cache mode '{options.Mode}'; expected {string.Join(" or ", CacheModes.All)}.");
        }

        var ttl = options.Ttl ?? DefaultTtl;
        if (ttl < TimeSpan.FromMilliseconds(1))
        {
            errors.Add($"{where}:Ttl must be at least one millisecond (was {ttl}).");
        }
        else if (ttl > MaxTtl)
        {
            errors.Add($"{where}:Ttl must not exceed {MaxTtl.TotalDays:0} days (was {ttl}).");
        }

        return errors.Count > before
            ? null
            : new RouteCache
            {
                Mode = mode!,
                TtlMs = (long)ttl.TotalMilliseconds,
                AllowTemperature = options.AllowTemperature,
                ShareAcrossKeys = options.ShareAcrossKeys,
            };
    }
}
