namespace ControlPlane.Core.Alerts;

/// <param name="FlapPeriod">At most one trigger per key in any period this long: a flapping target pages once.</param>
/// <param name="GroupWait">
/// How long a groupable condition (a per-model alert) must hold before it is sent, so a provider incident that forms
/// meanwhile can suppress it: one alert for a provider-wide storm, not one per model.
/// </param>
public sealed record AlertSettings(TimeSpan FlapPeriod, TimeSpan GroupWait)
{
    public static AlertSettings Default { get; } = new(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(30));
}

/// <summary>A trigger or resolve to record and deliver.</summary>
public sealed record AlertEvent(AlertAction Action, AlertCondition Alert, DateTimeOffset At);

/// <summary>What the tracker remembers about one key: whether it was sent, and when it last triggered.</summary>
public sealed record AlertKeyState(AlertCondition Condition, bool Active, DateTimeOffset? LastTriggeredAt, DateTimeOffset? TrueSince = null);

/// <summary>
/// Turns "what is true now" into triggers and resolves. Level-based: the caller reports every condition that holds at
/// <c>now</c>; a condition that was sent and no longer holds is resolved. Deterministic, no clock and no I/O — the host
/// persists active keys and restores them when a new leader takes over.
/// <list type="bullet">
/// <item>Deduplication: a condition already triggered is not sent again while it holds.</item>
/// <item>Grouping: a condition whose <see cref="AlertCondition.GroupKey"/> holds is not sent, and waits
/// <see cref="AlertSettings.GroupWait"/> before it is, so the broader alert has time to form.</item>
/// <item>Flapping: a key triggers at most once per <see cref="AlertSettings.FlapPeriod"/>; a condition still true when
/// the period ends triggers then, so a persistent problem is never swallowed.</item>
/// </list>
/// </summary>
public sealed class AlertTracker(AlertSettings settings)
{
    private readonly Dictionary<string, AlertKeyState> _keys = new(StringComparer.Ordinal);

    public AlertSettings Settings { get; } = settings;

    public IReadOnlyCollection<AlertKeyState> Keys => _keys.Values;

    /// <summary>Forgets everything and starts from what was stored (active alerts and recent triggers).</summary>
    public void Restore(IEnumerable<AlertKeyState> stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        _keys.Clear();
        foreach (var state in stored)
        {
            _keys[state.Condition.Key] = state with { TrueSince = null };
        }
    }

    public IReadOnlyList<AlertEvent> Evaluate(IEnumerable<AlertCondition> current, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(current);
        var holding = new Dictionary<string, AlertCondition>(StringComparer.Ordinal);
        foreach (var condition in current)
        {
            holding.TryAdd(condition.Key, condition);
        }

        var events = new List<AlertEvent>();
        foreach (var (key, state) in _keys.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList())
        {
            if (holding.ContainsKey(key))
            {
                continue;
            }

            if (state.Active)
            {
                events.Add(new AlertEvent(AlertAction.Resolve, state.Condition with { Summary = AlertKinds.ResolveSummaryOf(state.Condition) }, now));
            }

            var quiet = state with { Active = false, TrueSince = null };
            if (quiet.LastTriggeredAt is { } last && now - last < Settings.FlapPeriod)
            {
                _keys[key] = quiet;
            }
            else
            {
                _keys.Remove(key);
            }
        }

        // Broader conditions first, so a provider incident triggers before the per-model alerts it covers are considered.
        foreach (var condition in holding.Values.OrderBy(c => c.GroupKey is null ? 0 : 1).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            var state = _keys.TryGetValue(condition.Key, out var known)
                ? known with { Condition = condition, TrueSince = known.TrueSince ?? now }
                : new AlertKeyState(condition, Active: false, LastTriggeredAt: null, TrueSince: now);

            // Covered by its group: the group wait restarts once the group clears, so the stragglers of an incident
            // that is ending (a model still on trial) get the same grace as the first models of one that is starting.
            if (!state.Active && condition.GroupKey is { } group && holding.ContainsKey(group))
            {
                state = state with { TrueSince = now };
            }

            if (!state.Active && ShouldTrigger(state, holding, now))
            {
                state = state with { Active = true, LastTriggeredAt = now };
                events.Add(new AlertEvent(AlertAction.Trigger, condition, now));
            }

            _keys[condition.Key] = state;
        }

        return events;
    }

    private bool ShouldTrigger(AlertKeyState state, Dictionary<string, AlertCondition> holding, DateTimeOffset now)
    {
        var condition = state.Condition;
        if (condition.GroupKey is { } group)
        {
            if (holding.ContainsKey(group))
            {
                return false;
            }

            if (now - state.TrueSince!.Value < Settings.GroupWait)
            {
                return false;
            }
        }

        return state.LastTriggeredAt is not { } last || now - last >= Settings.FlapPeriod;
    }
}
