using System.Text.Json;

namespace ControlPlane.Demo;

/// <summary>
/// Watches the control plane's API and marks each step of a failover as it happens: breaker transitions, table
/// versions committed, and the gateway reporting the version it applied (the fleet convergence view).
/// </summary>
internal sealed class ControlPlaneWatcher(HttpClient api, Timeline timeline, string primary, string gatewayId)
{
    private readonly TaskCompletionSource _rampOver = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the primary's slow-start ramp (after its recovery) has ended.</summary>
    public Task RampOver => _rampOver.Task;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? lastState = null;
        var ramping = false;
        long rampVersion = 0;
        long lastVersion = 0;
        long lastApplied = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var rampStarted = false;
            try
            {
                using (var breakers = JsonDocument.Parse(await api.GetStringAsync(new Uri("api/breakers", UriKind.Relative), cancellationToken)))
                {
                    var entry = breakers.RootElement.EnumerateArray().FirstOrDefault(b => b.GetProperty("target").GetString() == primary);
                    var state = entry.ValueKind == JsonValueKind.Object ? entry.GetProperty("state").GetString() : null;
                    if (state is not null && state != lastState)
                    {
                        if (lastState is not null)
                        {
                            timeline.Mark($"control plane: breaker {primary} {lastState} → {state}");
                        }

                        lastState = state;
                    }

                    rampStarted = entry.ValueKind == JsonValueKind.Object
                        && entry.TryGetProperty("slowStartStartedAt", out var started) && started.ValueKind == JsonValueKind.String;
                }

                using (var latest = JsonDocument.Parse(await api.GetStringAsync(new Uri("api/routing-tables/latest", UriKind.Relative), cancellationToken)))
                {
                    var version = latest.RootElement.GetProperty("version").GetInt64();
                    if (version > lastVersion)
                    {
                        var reasons = latest.RootElement.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("reason").GetString()).ToList();
                        var why = reasons.Count == 0 ? "target states changed; no route moved" : string.Join("; ", reasons);
                        timeline.Mark($"control plane: routing table v{version} committed and published ({why})");
                        lastVersion = version;
                    }
                }

                // The ramp rides in the table as data (start, duration): each gateway computes the weight, so the
                // whole ramp costs no version beyond the one that closed the breaker.
                if (rampStarted && !ramping)
                {
                    ramping = true;
                    rampVersion = lastVersion;
                    timeline.Mark($"slow start: {primary}'s weight ramp travels in table v{lastVersion} as data; the gateway computes its weight, no version per step");
                }
                else if (!rampStarted && ramping)
                {
                    ramping = false;
                    timeline.Mark(lastVersion == rampVersion
                        ? $"slow start over: {primary} at full weight, still on table v{lastVersion}: the ramp cost no extra version"
                        : $"slow start over: {primary} at full weight; table v{lastVersion} ({lastVersion - rampVersion} version(s) since the ramp began)");
                    _rampOver.TrySetResult();
                }

                using (var fleet = JsonDocument.Parse(await api.GetStringAsync(new Uri("api/subscribers", UriKind.Relative), cancellationToken)))
                {
                    var gateway = fleet.RootElement.GetProperty("subscribers").EnumerateArray()
                        .FirstOrDefault(s => s.GetProperty("subscriberId").GetString() == gatewayId);
                    if (gateway.ValueKind == JsonValueKind.Object && gateway.GetProperty("appliedVersion") is { ValueKind: JsonValueKind.Number } applied
                        && applied.GetInt64() > lastApplied)
                    {
                        lastApplied = applied.GetInt64();
                        timeline.Mark($"gateway reports it applied v{lastApplied}");
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The next poll will tell.
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
