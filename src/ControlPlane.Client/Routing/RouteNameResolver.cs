using System.Collections.Concurrent;
using ControlPlane.Contracts;

namespace ControlPlane.Client;

/// <summary>
/// Resolves the model name a client sent to a route of one routing table. The rule, in order:
/// <list type="number">
/// <item>a route whose id is the name (ordinal);</item>
/// <item>a route with the name as an exact alias (ordinal, ignoring case);</item>
/// <item>among the routes' patterns (<c>*</c> matches any run of characters, ignoring case) that match the name, the
/// one with the most literal (non-<c>*</c>) characters; ties go to the route id first in ordinal order;</item>
/// <item>otherwise none.</item>
/// </list>
/// Built once per table: exact names cost a dictionary lookup; patterns are scanned only on a miss, and what a scan
/// found (or did not) is cached, up to <see cref="CacheCapacity"/> names. Thread-safe.
/// </summary>
public sealed class RouteNameResolver
{
    /// <summary>How many pattern lookups are remembered; the cache starts over when full (client names are few, so it rarely is).</summary>
    public const int CacheCapacity = 1024;

    private readonly Dictionary<string, RouteEntry> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RouteEntry> _aliases = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Pattern> _patterns = [];
    private readonly ConcurrentDictionary<string, RouteEntry?> _patternHits = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Indexes the routes of a table. Should a table carry a name twice, the first route in table order keeps it.</summary>
    public RouteNameResolver(IEnumerable<RouteEntry> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var route in routes)
        {
            _routes.TryAdd(route.Route, route);
        }

        foreach (var route in _routes.Values)
        {
            foreach (var alias in route.Aliases)
            {
                if (string.IsNullOrEmpty(alias))
                {
                    continue;
                }

                if (alias.Contains('*', StringComparison.Ordinal))
                {
                    _patterns.Add(new Pattern(alias, alias.Split('*'), alias.Count(c => c != '*'), route));
                }
                else
                {
                    _aliases.TryAdd(alias, route);
                }
            }
        }

        // Scan order is the precedence order, so the first match wins.
        _patterns.Sort((a, b) => a.LiteralLength != b.LiteralLength
            ? b.LiteralLength.CompareTo(a.LiteralLength)
            : string.CompareOrdinal(a.Route.Route, b.Route.Route));
    }

    /// <summary>The route a model name resolves to, or null when it names none.</summary>
    public RouteEntry? Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_routes.TryGetValue(name, out var route) || _aliases.TryGetValue(name, out route))
        {
            return route;
        }

        if (_patterns.Count == 0)
        {
            return null;
        }

        if (_patternHits.TryGetValue(name, out route))
        {
            return route;
        }

        route = _patterns.FirstOrDefault(p => Matches(p.Segments, name))?.Route;
        if (_patternHits.Count >= CacheCapacity)
        {
            _patternHits.Clear();
        }

        _patternHits[name] = route;
        return route;
    }

    /// <summary>Whether a name matches a glob where <c>*</c> matches any run of characters (ordinal, ignoring case).</summary>
    public static bool Matches(string pattern, string name)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(name);
        return Matches(pattern.Split('*'), name);
    }

    // segments = the pattern split on '*': the first is anchored at the start, the last at the end, the ones between
    // are found left to right (leftmost is always safe for '*' globs).
    private static bool Matches(string[] segments, string name)
    {
        const StringComparison ignoreCase = StringComparison.OrdinalIgnoreCase;
        if (segments.Length == 1)
        {
            return string.Equals(segments[0], name, ignoreCase);
        }

        var first = segments[0];
        var last = segments[^1];
        if (name.Length < first.Length + last.Length || !name.StartsWith(first, ignoreCase) || !name.EndsWith(last, ignoreCase))
        {
            return false;
        }

        var position = first.Length;
        var end = name.Length - last.Length;
        for (var i = 1; i < segments.Length - 1; i++)
        {
            if (segments[i].Length == 0)
            {
                continue;
            }

            var found = name.IndexOf(segments[i], position, end - position, ignoreCase);
            if (found < 0)
            {
                return false;
            }

            position = found + segments[i].Length;
        }

        return true;
    }

    private sealed record Pattern(string Text, string[] Segments, int LiteralLength, RouteEntry Route);
}
