namespace ControlPlane.Simulator.Stats;

internal sealed class StatsRecorder
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, long> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _byOutcome = new(StringComparer.Ordinal);
    private long _total;
    private TokenStats _tokens = new(0, 0, 0);

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

    /// Counted before the answer is written, so a client holding an answer always finds it in the stats.
    public void Billed(int input, int output, int reasoning = 0)
    {
        lock (_lock)
        {
            _tokens = new TokenStats(_tokens.Input + input, _tokens.Output + output, _tokens.Reasoning + reasoning);
        }
    }

    public ProviderStats Snapshot()
    {
        lock (_lock)
        {
            return new ProviderStats(
                _total,
                new Dictionary<string, long>(_byPath, StringComparer.Ordinal),
                new Dictionary<string, long>(_byOutcome, StringComparer.Ordinal))
            {
                Tokens = _tokens,
            };
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _total = 0;
            _byPath.Clear();
            _byOutcome.Clear();
            _tokens = new TokenStats(0, 0, 0);
        }
    }
}
