using System.Globalization;
using System.Text.Json;
using ControlPlane.Testing;

namespace ControlPlane.Demo;

/// <summary>
/// Watches how each target is probed (docs/configuration.md, "Probe economy"): marks when gateway traffic covers a
/// target and its inference probes give way to a free list-models probe, and when inference probing returns.
/// </summary>
internal sealed class ProbeEconomyWatcher(HttpClient api, Timeline timeline)
{
    private readonly Dictionary<string, bool> _suppressed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _budgetLimited = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var targets = JsonDocument.Parse(await api.GetStringAsync(new Uri("api/targets", UriKind.Relative), cancellationToken));
                foreach (var target in targets.RootElement.EnumerateArray())
                {
                    if (!target.TryGetProperty("cadence", out var cadence) || cadence.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    var id = target.GetProperty("id").GetString()!;
                    var suppressed = cadence.GetProperty("suppressed").GetBoolean();
                    var interval = cadence.GetProperty("intervalSeconds").GetDouble().ToString("0.#", CultureInfo.InvariantCulture);
                    if (_suppressed.TryGetValue(id, out var was) && was != suppressed)
                    {
                        timeline.Mark(suppressed
                            ? $"probe economy: gateway traffic covers {id}: inference probes off, a free list-models probe every {interval} s"
                            : $"probe economy: {id} probed with inference again, every {interval} s (traffic thinned or a failure needs confirming)");
                    }

                    _suppressed[id] = suppressed;
                    if (cadence.GetProperty("budgetLimited").GetBoolean() && _budgetLimited.Add(id))
                    {
                        var desired = cadence.GetProperty("desiredIntervalSeconds").GetDouble().ToString("0.#", CultureInfo.InvariantCulture);
                        timeline.Mark($"probe budget: {id} probed every {interval} s instead of {desired} s (its provider's ProbeBudgetPerMinute, fleet-wide)");
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The next poll will tell.
            }

            try
            {
                await Task.Delay(250, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Inference and list-models probes of each target over the run, from the stored samples, and what the probes spent,
    /// from the control plane's metrics.
    /// </summary>
    public async Task PrintSummaryAsync(IEnumerable<string> targetIds, DateTimeOffset since, Uri controlPlane, CancellationToken cancellationToken)
    {
        Console.WriteLine("  probes per target over the run (inference / list-models):");
        foreach (var id in targetIds)
        {
            var from = Uri.EscapeDataString(since.ToString("O", CultureInfo.InvariantCulture));
            using var samples = JsonDocument.Parse(await api.GetStringAsync(
                new Uri($"api/samples?target={Uri.EscapeDataString(id)}&from={from}&limit=10000", UriKind.Relative), cancellationToken));
            var modes = samples.RootElement.EnumerateArray().Select(s => s.GetProperty("mode").GetString()).ToList();
            Console.WriteLine($"    {id}: {modes.Count(m => m == "inference")} / {modes.Count(m => m == "models")}");
        }

        var metrics = await PrometheusText.ScrapeAsync(api, controlPlane, cancellationToken);
        var tokens = metrics.Sum("controlplane_probe_tokens_total");
        var usd = metrics.Sum("controlplane_probe_cost_usd_total");
        Console.WriteLine($"  probe spend over the run: {tokens:N0} tokens, ${usd.ToString("0.0000", CultureInfo.InvariantCulture)} at list prices (controlplane_probe_cost_usd_total)");
    }
}
