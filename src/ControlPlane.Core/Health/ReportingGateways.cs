namespace ControlPlane.Core.Health;

/// <summary>
/// The gateways that report traffic: each report's sender counts for <see cref="Window"/> after it was seen, so the
/// count rises at once when a gateway starts reporting and falls only after it has been silent a whole window (a
/// gateway whose traffic pauses for a few seconds does not move the fleet's shares, nor publish a version).
/// Thread-safe; time is passed in.
/// </summary>
public sealed class ReportingGateways
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(60);

    /// <summary>Bound on remembered senders: a flood of made-up reporter ids cannot grow memory without limit.</summary>
    public const int MaxTracked = 10_000;

    private readonly Dictionary<string, DateTimeOffset> _lastSeen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Seen(string reporterId, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reporterId);
        lock (_gate)
        {
            if (_lastSeen.Count >= MaxTracked && !_lastSeen.ContainsKey(reporterId))
            {
                Forget(at);
                if (_lastSeen.Count >= MaxTracked)
                {
                    return;
                }
            }

            if (!_lastSeen.TryGetValue(reporterId, out var last) || last < at)
            {
                _lastSeen[reporterId] = at;
            }
        }
    }

    /// <summary>Senders seen within the window before <paramref name="now"/>; at least 1 (this fleet has a gateway, or will).</summary>
    public int CountAt(DateTimeOffset now)
    {
        lock (_gate)
        {
            Forget(now);
            return Math.Max(1, _lastSeen.Count);
        }
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (id, last) in _lastSeen.Where(p => now - p.Value > Window).ToList())
        {
            _lastSeen.Remove(id);
        }
    }
}
