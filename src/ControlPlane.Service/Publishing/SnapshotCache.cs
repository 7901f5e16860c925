namespace ControlPlane.Service.Publishing;

/// <summary>
/// The newest signed snapshot this replica has read from Postgres. While Postgres is unreachable the snapshot endpoint
/// serves it (nothing newer can be committed meanwhile), so a subscriber (re)starting during a database outage still
/// bootstraps instead of running with no table.
/// </summary>
public sealed class SnapshotCache
{
    private (long Version, string Payload)? _latest;

    public string? Payload => Volatile.Read(ref _latest)?.Payload;

    /// <summary>Keeps the payload unless a newer version is already held (concurrent requests may finish out of order).</summary>
    public void Offer(long version, string payload)
    {
        lock (this)
        {
            if (_latest is null || version >= _latest.Value.Version)
            {
                _latest = (version, payload);
            }
        }
    }
}
