namespace ControlPlane.Simulator.Chaos;

/// Validates chaos settings, keyed by JSON path so the API can return a ValidationProblem naming each field.
internal static class ChaosValidator
{
    private const int MaxLatencyMs = 600_000;
    private const int MaxRetryAfterSeconds = 86_400;

    public static Dictionary<string, string[]> Validate(ChaosSettings settings)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        CheckStep(errors, "", settings.Mode, settings.FailureRate, settings.LatencyMs, settings.RetryAfterSeconds);

        if (settings.Capacity is < 1)
        {
            Add(errors, "capacity", $"capacity must be at least 1 (got {settings.Capacity}).");
        }
        else if (settings.Capacity is not null && settings.LatencyMs is not > 0)
        {
            Add(errors, "latencyMs", "latencyMs (the service time at or under capacity) must be above 0 when capacity is set.");
        }

        if (settings.QueueLimit is < 0)
        {
            Add(errors, "queueLimit", $"queueLimit must not be negative (got {settings.QueueLimit}).");
        }
        else if (settings.QueueLimit is not null && settings.Capacity is null)
        {
            Add(errors, "queueLimit", "queueLimit needs capacity: the queue is what waits beyond it.");
        }

        if (settings.Schedule is { Count: > 0 } schedule)
        {
            if (settings.Mode != ChaosMode.Healthy)
            {
                Add(errors, "mode", "Set either 'mode' or 'schedule', not both: with a schedule the steps carry the modes.");
            }

            for (var i = 0; i < schedule.Count; i++)
            {
                var step = schedule[i];
                var at = $"schedule[{i}].";
                if (step is null)
                {
                    Add(errors, $"schedule[{i}]", "A schedule step cannot be null.");
                    continue;
                }

                CheckStep(errors, at, step.Mode, step.FailureRate, step.LatencyMs, step.RetryAfterSeconds);
                var isLast = i == schedule.Count - 1;
                if (step.DurationSeconds is { } d && (double.IsNaN(d) || double.IsInfinity(d) || d <= 0))
                {
                    Add(errors, at + "durationSeconds", $"durationSeconds must be a positive number (got {d}).");
                }
                else if (step.DurationSeconds is null && !isLast)
                {
                    Add(errors, at + "durationSeconds", "durationSeconds is required for every step but the last (the last step holds forever).");
                }
            }
        }

        return errors.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    private static void CheckStep(Dictionary<string, List<string>> errors, string at, ChaosMode mode, double failureRate, int? latencyMs, int retryAfterSeconds)
    {
        if (!Enum.IsDefined(mode))
        {
            Add(errors, at + "mode", $"'{mode}' is not a chaos mode; use one of: {string.Join(", ", ChaosModes.Names)}.");
        }

        if (double.IsNaN(failureRate) || failureRate is < 0 or > 1)
        {
            Add(errors, at + "failureRate", $"failureRate must be between 0 and 1 (got {failureRate}).");
        }

        if (latencyMs is < 0 or > MaxLatencyMs)
        {
            Add(errors, at + "latencyMs", $"latencyMs must be between 0 and {MaxLatencyMs} (got {latencyMs}).");
        }

        if (retryAfterSeconds is < 0 or > MaxRetryAfterSeconds)
        {
            Add(errors, at + "retryAfterSeconds", $"retryAfterSeconds must be between 0 and {MaxRetryAfterSeconds} (got {retryAfterSeconds}).");
        }
    }

    private static void Add(Dictionary<string, List<string>> errors, string key, string message)
    {
        if (!errors.TryGetValue(key, out var list))
        {
            errors[key] = list = [];
        }

        list.Add(message);
    }
}
