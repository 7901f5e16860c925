using System.Collections.Frozen;
using ControlPlane.Client;
using ControlPlane.Contracts;

namespace ControlPlane.Gateway.Caching;

/// <summary>
/// Route id → its cache, from the table in force. Rebuilt once per table (a reference check per request), so a route
/// without a cache costs one failed lookup in an empty or small dictionary.
/// </summary>
internal sealed class RouteCachePolicies(IRoutingTableSource table)
{
    private volatile Snapshot? _snapshot;

    public RouteCache? For(string route)
    {
        if (table.Current is not { } current)
        {
            return null;
        }

        var snapshot = _snapshot;
        if (snapshot is null || !ReferenceEquals(snapshot.Message, current))
        {
            snapshot = new Snapshot(current, current.Table.Routes
                .Where(r => r.Cache is not null && CacheModes.All.Contains(r.Cache.Mode)) // a mode from a newer writer: no cache
                .DistinctBy(r => r.Route, StringComparer.Ordinal)
                .ToFrozenDictionary(r => r.Route, r => r.Cache!, StringComparer.Ordinal));
            _snapshot = snapshot;
        }

        return snapshot.Caches.Count == 0 ? null : snapshot.Caches.GetValueOrDefault(route);
    }

    private sealed record Snapshot(RoutingTableChanged Message, FrozenDictionary<string, RouteCache> Caches);
}
