using ControlPlane.Contracts;

namespace ControlPlane.Core.Catalog;

/// <summary>Validates a route's <see cref="DegradationOptions"/> and its tiers' classes, listing every problem.</summary>
internal static class DegradationProfileBuilder
{
    /// <summary>
    /// The route's profile (null when it has none) and each tier's class list (null where the tier lists none);
    /// problems go to <paramref name="errors"/>.
    /// </summary>
    public static (DegradationProfile? Profile, IReadOnlyList<string>?[] TierClasses) Build(RouteOptions route, string where, List<string> errors)
    {
        var tierClasses = new IReadOnlyList<string>?[route.Tiers.Count];
        if (route.Degradation is not { } options)
        {
            for (var i = 0; i < route.Tiers.Count; i++)
            {
                if (route.Tiers[i].Classes is not null)
                {
                    errors.Add($"{where}:Tiers:{i}:Classes: request classes need a Degradation section on the route.");
                }
            }

            return (null, tierClasses);
        }

        var at = $"{where}:Degradation";
        var classes = DegradationProfile.BuiltIn.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var defined = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Classes.Count; i++)
        {
            var c = options.Classes[i];
            var cat = $"{at}:Classes:{i}";
            if (string.IsNullOrWhiteSpace(c.Name) || !RequestClassRules.IsValidName(c.Name))
            {
                errors.Add($"{cat}: Name '{c.Name}' must be lower-case letters, digits and '-' (at most 32 characters).");
                continue;
            }

            if (!defined.Add(c.Name))
            {
                errors.Add($"{cat}: class '{c.Name}' is listed twice.");
                continue;
            }

            var builtIn = classes.GetValueOrDefault(c.Name);
            var degraded = ParseAction(c.Degraded, builtIn?.Degraded, $"{cat}:Degraded", errors);
            var panic = ParseAction(c.Panic, builtIn?.Panic, $"{cat}:Panic", errors);
            if (degraded is { } d && panic is { } p)
            {
                classes[c.Name] = new RequestClassRule(c.Name, d, p);
            }
        }

        var defaultClass = options.DefaultClass ?? DegradationProfile.Standard;
        if (!classes.ContainsKey(defaultClass))
        {
            errors.Add($"{at}:DefaultClass: unknown class '{defaultClass}'; expected one of {string.Join(", ", classes.Keys.Order(StringComparer.Ordinal))}.");
        }

        var hold = options.HoldTimeout ?? DegradationProfile.DefaultHoldTimeout;
        if (hold <= TimeSpan.Zero || hold > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{at}:HoldTimeout must be greater than zero and at most 10 minutes (was {hold}).");
        }

        var shed = options.ShedStatus ?? 503;
        if (shed is not (429 or 503))
        {
            errors.Add($"{at}:ShedStatus must be 429 or 503 (was {shed}).");
        }

        for (var i = 0; i < route.Tiers.Count; i++)
        {
            if (route.Tiers[i].Classes is not { } listed)
            {
                continue;
            }

            foreach (var name in listed.Where(n => !classes.ContainsKey(n ?? "")))
            {
                errors.Add($"{where}:Tiers:{i}:Classes: unknown class '{name}'; expected one of {string.Join(", ", classes.Keys.Order(StringComparer.Ordinal))}.");
            }

            tierClasses[i] = listed.Distinct(StringComparer.Ordinal).ToList();
        }

        // A class no tier serves can never be served: a mistake, not a policy (shed it explicitly instead).
        foreach (var name in classes.Keys.Order(StringComparer.Ordinal))
        {
            var served = false;
            for (var i = 0; i < route.Tiers.Count && !served; i++)
            {
                served = DegradationProfile.TierServes(new RouteTier([]) { Classes = tierClasses[i] }, i, name);
            }

            if (!served && route.Tiers.Count > 0)
            {
                errors.Add($"{at}: class '{name}' is served by no tier; list it in a tier's Classes.");
            }
        }

        var rules = classes.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        return (new DegradationProfile(defaultClass, hold, shed, rules), tierClasses);
    }

    private static ClassAction? ParseAction(string? text, ClassAction? builtIn, string at, List<string> errors)
    {
        switch (text)
        {
            case null when builtIn is { } value:
                return value;
            case null:
                errors.Add($"{at} is required for a class that is not built in (serve, hold or shed).");
                return null;
            case "serve":
                return ClassAction.Serve;
            case "hold":
                return ClassAction.Hold;
            case "shed":
                return ClassAction.Shed;
            default:
                errors.Add($"{at}: unknown action '{text}'; expected serve, hold or shed.");
                return null;
        }
    }
}
