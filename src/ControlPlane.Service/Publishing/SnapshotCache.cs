namespace ControlPlane.Service.Publishing;

/// <summary>
/// The newest signed snapshot this replica has read from Postgres. While Postgres is unreachable the snapshot endpoint
/// serves it, so a subscriber (re)starting during a database outage still bootstraps instead of running with no table.
/// </summary>
public sealed class SnapshotCache
{
    private readonly Lock _gate = new();
    private Entry? _latest;

    public string? Payload => Volatile.Read(ref _latest)?.Payload;

    /// <summary>Keeps the payload unless a newer version is already held (concurrent requests may finish out of order).</summary>
    public void Offer(long version, string payload)
    {
        lock (_gate)
        {
            if (_latest is null || version >= _latest.Version)
            {
                Volatile.Write(ref _latest, new Entry(version, payload));
            }
        }
    }

    private sealed record Entry(long Version, string Payload);
}
