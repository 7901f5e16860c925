using ControlPlane.Core.Catalog;
using ControlPlane.Core.Overrides;

namespace ControlPlane.Service.Overrides;

/// <summary>An override as stored and shown by the API.</summary>
public sealed record OverrideRecord(
    Guid Id,
    string Kind,
    string? Target,
    string? Provider,
    string? Route,
    string Owner,
    string Reason,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset StartsAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? CancelledAt,
    string? CancelledBy)
{
    public bool IsActiveAt(DateTimeOffset now) => CancelledAt is null && StartsAt <= now && now < ExpiresAt;

    public Override ToDomain()
    {
        var id = Id.ToString();
        return Kind switch
        {
            OverrideKindNames.DrainTarget => new DrainTarget(id, Owner, Reason, StartsAt, ExpiresAt, new TargetId(Target!)),
            OverrideKindNames.DrainProvider => new DrainProvider(id, Owner, Reason, StartsAt, ExpiresAt, Provider!),
            OverrideKindNames.ForceOpen => new ForceOpen(id, Owner, Reason, StartsAt, ExpiresAt, new TargetId(Target!)),
            OverrideKindNames.ForceClosed => new ForceClosed(id, Owner, Reason, StartsAt, ExpiresAt, new TargetId(Target!)),
            OverrideKindNames.PinRoute => new PinRoute(id, Owner, Reason, StartsAt, ExpiresAt, Route!, new TargetId(Target!)),
            OverrideKindNames.Maintenance when Target is not null =>
                MaintenanceWindow.ForTarget(id, Owner, Reason, CreatedAt, StartsAt, ExpiresAt, new TargetId(Target)),
            OverrideKindNames.Maintenance => MaintenanceWindow.ForProvider(id, Owner, Reason, CreatedAt, StartsAt, ExpiresAt, Provider!),
            _ => throw new InvalidOperationException($"Unknown override kind '{Kind}' in storage."),
        };
    }
}

public static class OverrideKindNames
{
    public const string DrainTarget = "drain-target";
    public const string DrainProvider = "drain-provider";
    public const string ForceOpen = "force-open";
    public const string ForceClosed = "force-closed";
    public const string PinRoute = "pin-route";
    public const string Maintenance = "maintenance";

    public static IReadOnlyList<string> All { get; } = [DrainTarget, DrainProvider, ForceOpen, ForceClosed, PinRoute, Maintenance];
}
