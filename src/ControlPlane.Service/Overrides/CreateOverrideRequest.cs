using ControlPlane.Core.Catalog;

namespace ControlPlane.Service.Overrides;

/// <summary>
/// Body of POST /api/overrides. Give the expiry as <see cref="ExpiresAt"/> or <see cref="Ttl"/>; a maintenance
/// window gives <see cref="StartsAt"/> and <see cref="EndsAt"/>.
/// </summary>
public sealed record CreateOverrideRequest(
    string? Kind,
    string? Target,
    string? Provider,
    string? Route,
    string? Reason,
    string? Owner,
    DateTimeOffset? ExpiresAt,
    TimeSpan? Ttl,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt)
{
    public Dictionary<string, string[]> Validate(ProviderCatalog catalog, DateTimeOffset now, TimeSpan maxLifetime)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (Kind is null || !OverrideKindNames.All.Contains(Kind))
        {
            Add("kind", $"kind must be one of {string.Join(", ", OverrideKindNames.All)}.");
        }

        if (string.IsNullOrWhiteSpace(Reason))
        {
            Add("reason", "A reason is required: it is what the next person on call reads.");
        }
        else if (Reason.Length > 1000)
        {
            Add("reason", "reason may be at most 1000 characters.");
        }

        var needsTarget = Kind is OverrideKindNames.DrainTarget or OverrideKindNames.ForceOpen or OverrideKindNames.ForceClosed or OverrideKindNames.PinRoute;
        if (needsTarget && string.IsNullOrWhiteSpace(Target))
        {
            Add("target", $"{Kind} needs a target.");
        }

        if (Target is not null && !catalog.Targets.ContainsKey(new TargetId(Target)))
        {
            Add("target", $"No target '{Target}' in the catalog.");
        }

        if (Kind == OverrideKindNames.DrainProvider && string.IsNullOrWhiteSpace(Provider))
        {
            Add("provider", "drain-provider needs a provider.");
        }

        if (Provider is not null && !catalog.Providers.ContainsKey(Provider))
        {
            Add("provider", $"No provider '{Provider}' in the catalog.");
        }

        if (Kind == OverrideKindNames.Maintenance && (Target is null) == (Provider is null))
        {
            Add("target", "maintenance needs exactly one of target or provider.");
        }

        if (Kind == OverrideKindNames.PinRoute)
        {
            if (Route is null || !catalog.Routes.TryGetValue(Route, out var route))
            {
                Add("route", Route is null ? "pin-route needs a route." : $"No route '{Route}' in the catalog.");
            }
            else if (Target is not null && !route.Tiers.SelectMany(t => t.Targets).Any(t => t.Target.Value == Target))
            {
                Add("target", $"Target '{Target}' is not part of route '{Route}'.");
            }
        }

        if (Kind == OverrideKindNames.Maintenance)
        {
            if (StartsAt is null || EndsAt is null)
            {
                Add("endsAt", "maintenance needs startsAt and endsAt.");
            }
            else if (EndsAt <= StartsAt)
            {
                Add("endsAt", "endsAt must be later than startsAt.");
            }
            else if (EndsAt <= now)
            {
                Add("endsAt", "endsAt is in the past.");
            }
            else if (EndsAt - now > maxLifetime)
            {
                Add("endsAt", $"A maintenance window may end at most {maxLifetime.TotalDays:0} days from now.");
            }
        }
        else if (Kind is not null)
        {
            if ((ExpiresAt is null) == (Ttl is null))
            {
                Add("expiresAt", "Give exactly one of expiresAt or ttl: every override must expire.");
            }
            else
            {
                // Name the field the caller actually sent, so a bad ttl is not reported against an absent expiresAt.
                var field = ExpiresAt is null ? "ttl" : "expiresAt";
                var expires = ExpiresAt ?? now + Ttl!.Value;
                if (expires <= now)
                {
                    Add(field, "The override would already have expired.");
                }
                else if (expires - now > maxLifetime)
                {
                    Add(field, $"An override may last at most {maxLifetime.TotalDays:0} days.");
                }
            }
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    public OverrideRecord ToRecord(Guid id, string keyName, DateTimeOffset now)
    {
        var maintenance = Kind == OverrideKindNames.Maintenance;
        return new OverrideRecord(
            id,
            Kind!,
            Target,
            Target is null ? Provider : null,
            Route,
            string.IsNullOrWhiteSpace(Owner) ? keyName : Owner,
            Reason!,
            keyName,
            now,
            maintenance ? StartsAt!.Value : now,
            maintenance ? EndsAt!.Value : ExpiresAt ?? now + Ttl!.Value,
            null,
            null);
    }
}
