using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Tests;

/// <summary>Small catalogs for tests: targets are "provider/model"; routes are tiers of (target, weight).</summary>
internal static class Catalogs
{
    public static ProviderCatalog Build(
        IEnumerable<(string Id, (string Target, int Weight)[][] Tiers, PanicPolicy Policy)> routes,
        IEnumerable<string>? targets = null)
    {
        var routeList = routes.ToList();
        var targetIds = (targets ?? [])
            .Concat(routeList.SelectMany(r => r.Tiers.SelectMany(t => t.Select(w => w.Target))))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var targetDefs = targetIds.Select(id =>
        {
            var parts = id.Split('/');
            return new TargetDefinition(new TargetId(id), parts[0], parts[1], TestData.Probe());
        }).ToList();
        var providers = targetDefs.Select(t => t.ProviderId).Distinct(StringComparer.Ordinal).Select(p =>
            new ProviderDefinition(p, ProviderKind.OpenAICompatible, new Uri($"https://{p}.example"), null, new Dictionary<string, string>(), null));
        var routeDefs = routeList.Select(r => new RouteDefinition(
            r.Id,
            r.Tiers.Select(tier => new RouteTier(tier.Select(w => new WeightedTarget(new TargetId(w.Target), w.Weight)).ToList())).ToList(),
            r.Policy));
        return new ProviderCatalog(providers, targetDefs, routeDefs);
    }
}
