namespace ControlPlane.Simulator.Stats;

internal sealed class StatsRecorder
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byOutcome = new(StringComparer.Ordinal);
    private long _total;

    /// Counted on arrival, before any latency or hang, so "probed once per interval" holds even for stuck requests.
    public void Received(string path)
    {
        lock (_lock)
        {
            _total++;
            _byPath[path] = _byPath.GetValueOrDefault(path) + 1;
        }
    }

    public void Answered(string outcome)
    {
        lock (_lock)
        {
            _byOutcome[outcome] = _byOutcome.GetValueOrDefault(outcome) + 1;
        }
    }

    public ProviderStats Snapshot()
    {
        lock (_lock)
        {
            return new ProviderStats(
                _total,
                new Dictionary<string, long>(_byPath, StringComparer.Ordinal),
                new Dictionary<string, long>(_byOutcome, StringComparer.Ordinal));
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _total = 0;
            _byPath.Clear();
            _byOutcome.Clear();
        }
    }
}
