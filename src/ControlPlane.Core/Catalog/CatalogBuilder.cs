using System.Globalization;
using ControlPlane.Contracts;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Catalog;

/// <summary>What the catalog may ask of the outside world while validating key sources (kept out so this stays pure).</summary>
public interface IKeySourceProbe
{
    bool EnvironmentVariableIsSet(string name);

    bool FileHasContent(string path);
}

public sealed record CatalogBuildResult(ProviderCatalog? Catalog, IReadOnlyList<string> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>
/// Validates bound <see cref="CatalogOptions"/> and compiles them into a <see cref="ProviderCatalog"/>.
/// Every problem is collected (Quartz style) so one start-up names all of them, not the first.
/// </summary>
public static class CatalogBuilder
{
    public static readonly ProbeSettings DefaultProbe = new(
        Mode: ProbeMode.Inference,
        Interval: TimeSpan.FromSeconds(10),
        // interval + timeout + two fast (interval / 4) probes stays within two intervals for a hung provider.
        Timeout: TimeSpan.FromSeconds(5),
        LatencyObjective: TimeSpan.FromSeconds(3),
        MaxTokens: 1,
        Prompt: "ping",
        Stream: true,
        Headers: new Dictionary<string, string>());

    public static CatalogBuildResult Build(CatalogOptions options, IKeySourceProbe keys)
    {
        var errors = new List<string>();
        var providers = BuildProviders(options, keys, errors);
        var targets = BuildTargets(options, providers, errors);
        var routes = BuildRoutes(options, targets, errors);

        if (options.Providers.Count == 0)
        {
            errors.Add("Catalog:Providers is empty: configure at least one provider.");
        }

        if (options.Targets.Count == 0)
        {
            errors.Add("Catalog:Targets is empty: configure at least one target (provider × model).");
        }

        return errors.Count == 0
            ? new CatalogBuildResult(new ProviderCatalog(providers.Values.Select(p => p.Definition), targets.Values, routes), errors)
            : new CatalogBuildResult(null, errors);
    }

    private static Dictionary<string, (ProviderDefinition Definition, ProbeOptions? Probe)> BuildProviders(
        CatalogOptions options, IKeySourceProbe keys, List<string> errors)
    {
        var result = new Dictionary<string, (ProviderDefinition, ProbeOptions?)>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var p = options.Providers[i];
            var where = $"Catalog:Providers:{i}" + (string.IsNullOrWhiteSpace(p.Id) ? "" : $" ('{p.Id}')");
            var ok = true;

            if (string.IsNullOrWhiteSpace(p.Id))
            {
                errors.Add($"{where}: Id is required.");
                ok = false;
            }
            else if (!IsValidId(p.Id))
            {
                errors.Add($"{where}: Id '{p.Id}' may contain only letters, digits, '-', '_' and '.'.");
                ok = false;
            }
            else if (!seen.Add(p.Id))
            {
                errors.Add($"{where}: duplicate provider id '{p.Id}'.");
                ok = false;
            }

            var kindKnown = ProviderKinds.TryParse(p.Kind, out var kind);
            if (!kindKnown)
            {
                errors.Add($"{where}: unknown provider kind '{p.Kind}'; expected one of {string.Join(", ", ProviderKinds.Names)}.");
                ok = false;
            }

            if (!Uri.TryCreate(p.BaseUrl, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{where}: BaseUrl '{p.BaseUrl}' must be an absolute http(s) URL.");
                ok = false;
            }

            var key = ValidateKeySource(p, kind, kindKnown, where, keys, errors, ref ok);

            if (p.ProbeBudgetPerMinute is <= 0)
            {
                errors.Add($"{where}: ProbeBudgetPerMinute must be positive when set (was {p.ProbeBudgetPerMinute}).");
                ok = false;
            }

            ValidateHeaders(p.Headers, $"{where}: Headers", errors);

            if (ok)
            {
                result[p.Id!] = (new ProviderDefinition(p.Id!, kind, baseUrl!, key, p.Headers, p.ProbeBudgetPerMinute), p.Probe);
            }
        }

        return result;
    }

    private static ApiKeySource? ValidateKeySource(
        ProviderOptions p, ProviderKind kind, bool kindKnown, string where, IKeySourceProbe keys, List<string> errors, ref bool ok)
    {
        var hasEnv = !string.IsNullOrWhiteSpace(p.ApiKeyEnv);
        var hasFile = !string.IsNullOrWhiteSpace(p.ApiKeyFile);
        if (hasEnv && hasFile)
        {
            errors.Add($"{where}: set ApiKeyEnv or ApiKeyFile, not both.");
            ok = false;
            return null;
        }

        if (hasEnv)
        {
            if (!keys.EnvironmentVariableIsSet(p.ApiKeyEnv!))
            {
                errors.Add($"{where}: environment variable '{p.ApiKeyEnv}' named by ApiKeyEnv is not set.");
                ok = false;
            }

            return new ApiKeySource(p.ApiKeyEnv, null);
        }

        if (hasFile)
        {
            if (!keys.FileHasContent(p.ApiKeyFile!))
            {
                errors.Add($"{where}: key file '{p.ApiKeyFile}' named by ApiKeyFile is missing or empty.");
                ok = false;
            }

            return new ApiKeySource(null, p.ApiKeyFile);
        }

        if (kindKnown && kind.RequiresApiKey())
        {
            errors.Add($"{where}: a {kind.ToName()} provider needs ApiKeyEnv or ApiKeyFile.");
            ok = false;
        }

        return null;
    }

    private static Dictionary<TargetId, TargetDefinition> BuildTargets(
        CatalogOptions options,
        Dictionary<string, (ProviderDefinition Definition, ProbeOptions? Probe)> providers,
        List<string> errors)
    {
        var declaredProviders = options.Providers.Select(p => p.Id).Where(id => id is not null).ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<TargetId, TargetDefinition>();
        var seen = new HashSet<TargetId>();
        for (var i = 0; i < options.Targets.Count; i++)
        {
            var t = options.Targets[i];
            var where = $"Catalog:Targets:{i}";
            var ok = true;

            if (string.IsNullOrWhiteSpace(t.Provider))
            {
                errors.Add($"{where}: Provider is required.");
                ok = false;
            }
            else if (!declaredProviders.Contains(t.Provider))
            {
                errors.Add($"{where}: unknown provider '{t.Provider}'.");
                ok = false;
            }
            else if (!providers.ContainsKey(t.Provider))
            {
                ok = false; // The provider itself is invalid and already reported.
            }

            if (string.IsNullOrWhiteSpace(t.Model))
            {
                errors.Add($"{where}: Model is required.");
                ok = false;
            }

            var id = string.IsNullOrWhiteSpace(t.Id)
                ? (t.Provider is null || t.Model is null ? default : TargetId.For(t.Provider, t.Model))
                : new TargetId(t.Id);
            if (id.Value is not null)
            {
                where += $" ('{id}')";
                if (!seen.Add(id))
                {
                    errors.Add($"{where}: duplicate target id '{id}'.");
                    ok = false;
                }
            }

            var probe = MergeProbe(
                options.Probe,
                t.Provider is not null && providers.TryGetValue(t.Provider, out var provider) ? provider.Probe : null,
                t.Probe,
                $"{where}: Probe",
                errors);

            if (t.Overlay is not null)
            {
                var before = errors.Count;
                OverlayBuilder.ValidateFields(t.Overlay, $"{where}: Overlay", errors);
                OverlayBuilder.ValidateConsistency(t.Overlay, $"{where}: Overlay", errors);
                ok &= errors.Count == before;
            }

            if (t.MaxConcurrency is <= 0)
            {
                errors.Add($"{where}: MaxConcurrency must be at least 1 when set (was {t.MaxConcurrency}).");
                ok = false;
            }

            if (t.ContextWindow is <= 0)
            {
                errors.Add($"{where}: ContextWindow must be a positive number of tokens when set (was {t.ContextWindow}).");
                ok = false;
            }

            var price = PriceOf(t.Price, $"{where}: Price", errors);
            ok &= t.Price is null || price is not null;

            if (ok && probe is not null)
            {
                result[id] = new TargetDefinition(id, t.Provider!, t.Model!, probe, OverlayBuilder.Compile(t.Overlay))
                {
                    ContextWindow = t.ContextWindow,
                    MaxConcurrency = t.MaxConcurrency,
                    Price = price,
                };
            }
        }

        return result;
    }

    /// <summary>The target's price, or null with every problem listed (a half-given price would silently cost output at 0).</summary>
    private static TokenPrice? PriceOf(PriceOptions? price, string where, List<string> errors)
    {
        if (price is null)
        {
            return null;
        }

        var before = errors.Count;
        Check(price.InputPerMillion, nameof(PriceOptions.InputPerMillion));
        Check(price.OutputPerMillion, nameof(PriceOptions.OutputPerMillion));
        return errors.Count == before ? new TokenPrice(price.InputPerMillion!.Value, price.OutputPerMillion!.Value) : null;

        void Check(decimal? value, string name)
        {
            if (value is null)
            {
                errors.Add($"{where}: {name} is required when Price is given (USD per million tokens).");
            }
            else if (value < 0)
            {
                errors.Add($"{where}: {name} must be zero or more (was {value.Value.ToString(CultureInfo.InvariantCulture)}).");
            }
        }
    }

    private static ProbeSettings? MergeProbe(ProbeOptions? defaults, ProbeOptions? provider, ProbeOptions? target, string where, List<string> errors)
    {
        T? Pick<T>(Func<ProbeOptions, T?> field) where T : struct =>
            (target is null ? null : field(target)) ?? (provider is null ? null : field(provider)) ?? (defaults is null ? null : field(defaults));
        string? PickString(Func<ProbeOptions, string?> field) =>
            (target is null ? null : field(target)) ?? (provider is null ? null : field(provider)) ?? (defaults is null ? null : field(defaults));

        var ok = true;
        var modeName = PickString(o => o.Mode);
        var mode = DefaultProbe.Mode;
        if (modeName is not null && !TryParseMode(modeName, out mode))
        {
            errors.Add($"{where}:Mode: unknown probe mode '{modeName}'; expected inference or models.");
            ok = false;
        }

        var interval = Pick(o => o.Interval) ?? DefaultProbe.Interval;
        // An unset timeout follows a short interval down, so setting only Interval never makes the catalog invalid.
        var timeout = Pick(o => o.Timeout) ?? (interval > TimeSpan.Zero && interval < DefaultProbe.Timeout ? interval : DefaultProbe.Timeout);
        var objective = Pick(o => o.LatencyObjective) ?? DefaultProbe.LatencyObjective;
        var maxTokens = Pick(o => o.MaxTokens) ?? DefaultProbe.MaxTokens;

        if (interval <= TimeSpan.Zero)
        {
            errors.Add($"{where}:Interval must be greater than zero (was {interval}).");
            ok = false;
        }

        if (timeout <= TimeSpan.Zero)
        {
            errors.Add($"{where}:Timeout must be greater than zero (was {timeout}).");
            ok = false;
        }
        else if (interval > TimeSpan.Zero && timeout > interval)
        {
            errors.Add($"{where}:Timeout ({timeout}) must not exceed Interval ({interval}), or probes would pile up.");
            ok = false;
        }

        if (objective <= TimeSpan.Zero)
        {
            errors.Add($"{where}:LatencyObjective must be greater than zero (was {objective}).");
            ok = false;
        }

        if (maxTokens <= 0)
        {
            errors.Add($"{where}:MaxTokens must be at least 1 (was {maxTokens}).");
            ok = false;
        }

        var profileName = PickString(o => o.Profile);
        var profile = ProbeProfile.Auto;
        if (profileName is not null && !TryParseProfile(profileName, out profile))
        {
            errors.Add($"{where}:Profile: unknown probe profile '{profileName}'; expected auto, standard or reasoning.");
            ok = false;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var layer in new[] { defaults?.Headers, provider?.Headers, target?.Headers })
        {
            foreach (var (name, value) in layer ?? [])
            {
                headers[name] = value;
            }
        }

        ValidateHeaders(headers, $"{where}:Headers", errors);

        return ok
            ? new ProbeSettings(mode, interval, timeout, objective, maxTokens, PickString(o => o.Prompt) ?? DefaultProbe.Prompt, Pick(o => o.Stream) ?? DefaultProbe.Stream, headers)
            {
                Profile = profile,
            }
            : null;
    }

    private static List<RouteDefinition> BuildRoutes(CatalogOptions options, Dictionary<TargetId, TargetDefinition> targets, List<string> errors)
    {
        var declaredTargets = options.Targets
            .Select(t => !string.IsNullOrWhiteSpace(t.Id) ? t.Id : t.Provider is null || t.Model is null ? null : TargetId.For(t.Provider, t.Model).Value)
            .Where(id => id is not null)
            .ToHashSet(StringComparer.Ordinal);
        // The raw overlay of each declared target, for laying route entries' overlays over it (first declaration wins;
        // a duplicate id is reported by BuildTargets).
        var targetOverlays = new Dictionary<string, OverlayOptions?>(StringComparer.Ordinal);
        foreach (var t in options.Targets)
        {
            var id = !string.IsNullOrWhiteSpace(t.Id) ? t.Id : t.Provider is null || t.Model is null ? null : TargetId.For(t.Provider, t.Model).Value;
            if (id is not null)
            {
                targetOverlays.TryAdd(id, t.Overlay);
            }
        }

        ValidateAliases(options.Routes, errors);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<RouteDefinition>();
        for (var i = 0; i < options.Routes.Count; i++)
        {
            var r = options.Routes[i];
            var where = $"Catalog:Routes:{i}" + (string.IsNullOrWhiteSpace(r.Id) ? "" : $" ('{r.Id}')");
            var ok = true;

            if (string.IsNullOrWhiteSpace(r.Id))
            {
                errors.Add($"{where}: Id is required.");
                ok = false;
            }
            else if (!seen.Add(r.Id))
            {
                errors.Add($"{where}: duplicate route id '{r.Id}'.");
                ok = false;
            }

            var panic = PanicPolicy.FailOpen;
            if (r.PanicPolicy is not null && !TryParsePanic(r.PanicPolicy, out panic))
            {
                errors.Add($"{where}: unknown PanicPolicy '{r.PanicPolicy}'; expected fail-open or fail-closed.");
                ok = false;
            }

            var cacheErrors = errors.Count;
            var cache = RouteCacheBuilder.Build(r.Cache, $"{where}:Cache", errors);
            ok &= errors.Count == cacheErrors;

            var onContentPolicy = ContentPolicyRules.Return;
            if (r.OnContentPolicy is not null)
            {
                if (ContentPolicyRules.Parse(r.OnContentPolicy) is { } rule)
                {
                    onContentPolicy = rule;
                }
                else
                {
                    errors.Add($"{where}: unknown OnContentPolicy '{r.OnContentPolicy}'; expected {ContentPolicyRules.Return} or {ContentPolicyRules.NextTarget}.");
                    ok = false;
                }
            }

            if (r.Tiers.Count == 0)
            {
                errors.Add($"{where}: a route needs at least one tier of targets.");
                ok = false;
            }

            var problems = errors.Count;
            var (degradation, tierClasses) = DegradationProfileBuilder.Build(r, where, errors);
            ok &= errors.Count == problems;
            var inRoute = new HashSet<string>(StringComparer.Ordinal);
            var tiers = new List<RouteTier>();
            for (var ti = 0; ti < r.Tiers.Count; ti++)
            {
                var tier = r.Tiers[ti];
                if (tier.Targets.Count == 0)
                {
                    errors.Add($"{where}:Tiers:{ti}: a tier needs at least one target.");
                    ok = false;
                }

                var weighted = new List<WeightedTarget>();
                for (var wi = 0; wi < tier.Targets.Count; wi++)
                {
                    var w = tier.Targets[wi];
                    var at = $"{where}:Tiers:{ti}:Targets:{wi}";
                    if (string.IsNullOrWhiteSpace(w.Target) || !declaredTargets.Contains(w.Target))
                    {
                        errors.Add($"{at}: unknown target '{w.Target}'.");
                        ok = false;
                        continue;
                    }

                    if (!inRoute.Add(w.Target))
                    {
                        errors.Add($"{at}: target '{w.Target}' appears more than once in the route.");
                        ok = false;
                    }

                    if (w.Weight <= 0)
                    {
                        errors.Add($"{at}: Weight must be at least 1 (was {w.Weight}).");
                        ok = false;
                    }

                    TargetOverlay? overlay = null;
                    if (w.Overlay is not null)
                    {
                        var before = errors.Count;
                        OverlayBuilder.ValidateFields(w.Overlay, $"{at}: Overlay", errors);
                        if (errors.Count == before && targets.ContainsKey(new TargetId(w.Target)))
                        {
                            // Only the combination is new here: the target's own overlay was checked with the target
                            // (and a target with a bad one is not in `targets`, so it is not reported twice).
                            var merged = OverlayBuilder.Merge(targetOverlays.GetValueOrDefault(w.Target), w.Overlay);
                            OverlayBuilder.ValidateConsistency(merged!, $"{at}: Overlay (with the target's)", errors);
                            overlay = OverlayBuilder.Compile(merged);
                        }

                        ok &= errors.Count == before;
                    }

                    if (targets.TryGetValue(new TargetId(w.Target), out var definition))
                    {
                        weighted.Add(new WeightedTarget(new TargetId(w.Target), w.Weight, w.Overlay is null ? definition.Overlay : overlay));
                    }
                }

                tiers.Add(new RouteTier(weighted) { Classes = tierClasses[ti] });
            }

            if (ok)
            {
                result.Add(new RouteDefinition(r.Id!, tiers, panic, r.Aliases.Where(a => !string.IsNullOrWhiteSpace(a)).ToList())
                {
                    Degradation = degradation,
                    Cache = cache,
                    OnContentPolicy = onContentPolicy,
                });
            }
        }

        return result;
    }

    /// <summary>
    /// Aliases must resolve one way only: no alias may shadow a route id, and no exact name or pattern may belong to two
    /// routes (compared ignoring case, as clients' model names are). Two different patterns may both match a name:
    /// the resolution rule (longest literal text, then route id order) settles that.
    /// </summary>
    private static void ValidateAliases(List<RouteOptions> routes, List<string> errors)
    {
        var routeIds = routes.Where(r => !string.IsNullOrWhiteSpace(r.Id)).Select(r => r.Id!).ToList();
        var owners = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < routes.Count; i++)
        {
            var r = routes[i];
            var where = $"Catalog:Routes:{i}" + (string.IsNullOrWhiteSpace(r.Id) ? "" : $" ('{r.Id}')");
            var mine = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var ai = 0; ai < r.Aliases.Count; ai++)
            {
                var alias = r.Aliases[ai];
                var at = $"{where}:Aliases:{ai}";
                if (string.IsNullOrWhiteSpace(alias))
                {
                    errors.Add($"{at}: an alias must not be empty.");
                    continue;
                }

                if (!alias.All(IsAliasChar))
                {
                    errors.Add($"{at}: alias '{alias}' may contain only letters, digits, '-', '_', '.', ':', '/', '@', '+' and '*' (a wildcard).");
                    continue;
                }

                var kind = alias.Contains('*', StringComparison.Ordinal) ? "pattern" : "alias";
                if (routeIds.FirstOrDefault(id => string.Equals(id, alias, StringComparison.OrdinalIgnoreCase)) is { } shadowed
                    && !string.Equals(shadowed, r.Id, StringComparison.Ordinal))
                {
                    errors.Add($"{at}: alias '{alias}' is the id of route '{shadowed}'.");
                }
                else if (!mine.Add(alias))
                {
                    errors.Add($"{at}: {kind} '{alias}' is listed twice.");
                }
                else if (owners.TryGetValue(alias, out var owner))
                {
                    errors.Add($"{at}: {kind} '{alias}' is already an alias of route '{owner}'; a model name must map to one route.");
                }
                else
                {
                    owners[alias] = r.Id ?? $"#{i}";
                }
            }
        }
    }

    private static bool IsAliasChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/' or '@' or '+' or '*';

    private static void ValidateHeaders(Dictionary<string, string> headers, string where, List<string> errors)
    {
        foreach (var name in headers.Keys)
        {
            if (name.Equals("authorization", StringComparison.OrdinalIgnoreCase)
                || name.Equals("x-api-key", StringComparison.OrdinalIgnoreCase)
                || name.Equals("x-goog-api-key", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{where}: header '{name}' carries credentials; use ApiKeyEnv or ApiKeyFile so the key is never in configuration.");
            }
        }
    }

    private static bool IsValidId(string id) => id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool TryParseMode(string name, out ProbeMode mode)
    {
        mode = name.ToLowerInvariant() switch
        {
            "inference" => ProbeMode.Inference,
            "models" => ProbeMode.Models,
            _ => (ProbeMode)(-1),
        };
        return Enum.IsDefined(mode);
    }

    private static bool TryParseProfile(string name, out ProbeProfile profile)
    {
        profile = name.Trim().ToLowerInvariant() switch
        {
            "auto" => ProbeProfile.Auto,
            "standard" => ProbeProfile.Standard,
            "reasoning" => ProbeProfile.Reasoning,
            _ => (ProbeProfile)(-1),
        };
        return Enum.IsDefined(profile);
    }

    private static bool TryParsePanic(string name, out PanicPolicy policy)
    {
        policy = name.ToLowerInvariant() switch
        {
            "fail-open" or "failopen" => PanicPolicy.FailOpen,
            "fail-closed" or "failclosed" => PanicPolicy.FailClosed,
            _ => (PanicPolicy)(-1),
        };
        return Enum.IsDefined(policy);
    }
}
