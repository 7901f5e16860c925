using System.Collections.Concurrent;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Health;

/// <summary>Registry of every target's window. Passive reports are folded in with <see cref="WindowOptions.PassiveWeight"/>.</summary>
public sealed class HealthWindows(WindowOptions? options = null)
{
    private readonly ConcurrentDictionary<TargetId, TargetWindow> _windows = new();

    public WindowOptions Options { get; } = options ?? WindowOptions.Default;

    public int Count => _windows.Count;

    public TargetWindow For(TargetId target) => _windows.GetOrAdd(target, static (t, o) => new TargetWindow(t, o), Options);

    public void Record(ProbeSample sample) => For(sample.Target).Record(sample);

    public void Record(PassiveObservation observation) => For(observation.Target).Record(observation, Options.PassiveWeight);

    public WindowStats Snapshot(TargetId target, DateTimeOffset now, DateTimeOffset? since = null) =>
        _windows.TryGetValue(target, out var window) ? window.Snapshot(now, since) : WindowStats.Empty(target, now);

    public bool Remove(TargetId target) => _windows.TryRemove(target, out _);
}
