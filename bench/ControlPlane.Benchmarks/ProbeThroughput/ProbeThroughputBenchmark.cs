using System.Diagnostics;
using System.Globalization;
using ControlPlane.Benchmarks.Shared;
using ControlPlane.Contracts;
using ControlPlane.Simulator;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Benchmarks.ProbeThroughput;

/// <summary>
/// The real service (a child process, Release build) probing N targets of the in-process simulator at one interval,
/// against a fresh database: scheduling lag, probes and samples per second, the service's CPU and memory.
/// DESIGN.md: 10,000 targets at 10 s with p99 scheduling lag &lt; 1 s on one 2-core replica; ≤ 256 MB RSS at 1,000.
/// </summary>
internal sealed class ProbeThroughputBenchmark : IBenchmark
{
    private const int ModelsPerProvider = 1000;

    public string Name => "probe-throughput";

    public string Description => "the service probing N simulated targets: scheduling lag, probes/s, samples/s, CPU, RSS";

    public string Usage => "[--targets 1000] [--interval 10s] [--duration 60s] [--mode inference|models] [--warmup-limit 3×interval+1m]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        BenchmarkArguments.RequirePostgres();
        var targets = arguments.Int("targets", 1000);
        var interval = arguments.Duration("interval", TimeSpan.FromSeconds(10));
        var duration = arguments.Duration("duration", TimeSpan.FromSeconds(60));
        var mode = arguments.String("mode", "inference");
        var warmUpLimit = arguments.Duration("warmup-limit", (interval * 3) + TimeSpan.FromMinutes(1));

        var database = new PostgresDatabase();
        await database.InitializeAsync();
        try
        {
            return await RunAsync(database, targets, interval, duration, mode, warmUpLimit);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static async Task<int> RunAsync(PostgresDatabase database, int targets, TimeSpan interval, TimeSpan duration, string mode, TimeSpan warmUpLimit)
    {
        // Several providers of up to 1,000 models each: one listener per provider, as a real fleet has many hosts.
        var providers = Enumerable.Range(0, (targets + ModelsPerProvider - 1) / ModelsPerProvider)
            .Select(p => new SimulatedProviderOptions
            {
                Id = $"sim-{p}",
                Kind = "openai-compatible",
                Models = Enumerable.Range(0, Math.Min(ModelsPerProvider, targets - (p * ModelsPerProvider))).Select(m => $"model-{m}").ToList(),
            })
            .ToList();
        await using var simulator = await SimulatorHost.StartAsync(new SimulatorOptions { Providers = providers });

        using var config = ConfigFile.Write(new
        {
            Catalog = new
            {
                Probe = new
                {
                    Mode = mode,
                    Interval = interval.ToString("c", CultureInfo.InvariantCulture),
                    Timeout = (interval < TimeSpan.FromSeconds(8) ? interval : TimeSpan.FromSeconds(8)).ToString("c", CultureInfo.InvariantCulture),
                },
                Providers = providers.Select(p => new { p.Id, p.Kind, BaseUrl = simulator.BaseUrlOf(p.Id).ToString() }).ToArray(),
                Targets = providers.SelectMany(p => p.Models.Select(m => new { Provider = p.Id, Model = m })).ToArray(),
            },
        });

        Console.WriteLine($"probe-throughput: {targets:N0} targets every {interval.TotalSeconds:0.###} s for {duration.TotalSeconds:0} s ({mode} probes), starting the service…");
        await using var service = await ServiceProcess.StartAsync(
            "ControlPlane.Service",
            new Dictionary<string, string?>
            {
                ["ConnectionStrings__ControlPlane"] = database.ConnectionString,
                // The service will not start without a broker and a signing key (it publishes routing tables).
                ["ConnectionStrings__RabbitMq"] = await TestServices.RabbitMqAsync(),
                ["Publishing__SigningKeyId"] = "bench",
                ["Publishing__SigningKeyPem"] = SigningKeys.Generate().PrivateKeyPem,
                [ConfigFile.Variable] = config.Path,
                ["Logging__LogLevel__Default"] = "Warning",
            },
            readyTimeout: TimeSpan.FromMinutes(3));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        // Warm-up: every target probed about once, so the window measures the steady state, not the first wave.
        var warmUp = Stopwatch.StartNew();
        var warmedUp = true;
        while ((await ScrapeAsync(http, service)).Sum("controlplane_probes_total") < targets)
        {
            if (service.HasExited)
            {
                throw new BenchmarkSetupException($"The service exited during the warm-up:\n{Tail(service.Output)}");
            }

            if (warmUp.Elapsed > warmUpLimit)
            {
                // Falling behind is a result, not a setup failure: measure anyway and say so.
                warmedUp = false;
                break;
            }

            await Task.Delay(500);
        }

        var warmUpSeconds = warmUp.Elapsed.TotalSeconds;
        Console.WriteLine(warmedUp
            ? $"warmed up in {warmUpSeconds:0.0} s; measuring for {duration.TotalSeconds:0} s…"
            : $"not every target was probed once after {warmUpSeconds:0.0} s; measuring for {duration.TotalSeconds:0} s anyway…");
        var before = await PrometheusText.ScrapeAsync(http, service.BaseUrl);
        var cpuBefore = ProcessStats.CpuTime(service.ProcessId);
        var windowStart = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await Task.Delay(duration);
        var after = await PrometheusText.ScrapeAsync(http, service.BaseUrl);
        var cpuAfter = ProcessStats.CpuTime(service.ProcessId);
        var elapsed = clock.Elapsed.TotalSeconds;
        var windowEnd = DateTimeOffset.UtcNow;
        var peakRss = ProcessStats.StatusMegabytes(service.ProcessId, "VmHWM");
        var rss = ProcessStats.StatusMegabytes(service.ProcessId, "VmRSS");

        await Task.Delay(TimeSpan.FromSeconds(2)); // the ingest batches for ≤ 200 ms; let the window's last rows land
        long rows;
        await using (var dataSource = database.CreateDataSource())
        await using (var count = dataSource.CreateCommand("SELECT count(*) FROM probe_samples WHERE observed_at >= $1 AND observed_at < $2"))
        {
            count.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = windowStart });
            count.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = windowEnd });
            rows = (long)(await count.ExecuteScalarAsync())!;
        }

        var lag = PrometheusText.Delta(before.Buckets("controlplane_probe_schedule_lag_seconds"), after.Buckets("controlplane_probe_schedule_lag_seconds"));
        var p50 = PrometheusText.Quantile(lag, 0.50);
        var p99 = PrometheusText.Quantile(lag, 0.99);
        var expectedRate = targets / interval.TotalSeconds;
        var probeRate = (after.Sum("controlplane_probes_total") - before.Sum("controlplane_probes_total")) / elapsed;
        var ingestRate = (after.Sum("controlplane_samples_ingested_total") - before.Sum("controlplane_samples_ingested_total")) / elapsed;
        var dropped = after.Sum("controlplane_samples_dropped_total") - before.Sum("controlplane_samples_dropped_total");
        var failed = after.Sum("controlplane_probes_total", l => l["outcome"] != "success") - before.Sum("controlplane_probes_total", l => l["outcome"] != "success");
        var cpuPercent = (cpuAfter - cpuBefore).TotalSeconds / elapsed * 100;
        var atScale = targets >= 10_000 && interval <= TimeSpan.FromSeconds(10);

        ResultsWriter.Report(
            "probe-throughput",
            new Dictionary<string, string>
            {
                ["targets"] = targets.ToString(CultureInfo.InvariantCulture),
                ["interval"] = $"{interval.TotalSeconds:0.###}s",
                ["duration"] = $"{duration.TotalSeconds:0}s",
                ["mode"] = mode,
            },
            [
                new("probes executed", probeRate, "/s", $"{expectedRate:0.#}/s scheduled", probeRate >= expectedRate * 0.98, Headline: atScale),
                new("probes not successful", failed, "", "0 (the simulator is healthy)", failed == 0),
                new("schedule lag p50", p50 * 1000, "ms"),
                new("schedule lag p99", p99 * 1000, "ms", "< 1,000 ms at 10,000 × 10 s", atScale ? p99 < 1 : null, Headline: atScale),
                new("samples ingested (metric)", ingestRate, "/s", "= probes/s"),
                new("samples stored in the window (rows)", rows / (windowEnd - windowStart).TotalSeconds, "/s", "= probes/s"),
                new("samples dropped", dropped, "", "0", dropped == 0),
                new("service CPU", cpuPercent, "% of one core", $"≤ {Environment.ProcessorCount * 100}% (all {Environment.ProcessorCount} cores)"),
                new("service peak RSS (VmHWM)", peakRss, "MB", targets <= 1000 ? "≤ 256 MB at 1,000 targets" : "", targets <= 1000 ? peakRss <= 256 : null, Headline: targets == 1000),
                new("service RSS at the end", rss, "MB"),
            ],
            [
                warmedUp
                    ? $"Warm-up (first probe of every target) took {warmUpSeconds:0.0} s and is not in the window."
                    : $"Warm-up incomplete: not every target had been probed once after {warmUpSeconds:0.0} s (--warmup-limit); the window started anyway.",
                "Lag quantiles are interpolated from the controlplane_probe_schedule_lag_seconds buckets over the window.",
                "The simulator and this runner share the machine with the service; CPU and RSS are the service process's only.",
            ]);
        return 0;
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient http, ServiceProcess service)
    {
        try
        {
            return await PrometheusText.ScrapeAsync(http, service.BaseUrl);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new BenchmarkSetupException($"The service did not answer /metrics ({e.GetType().Name}):\n{Tail(service.Output)}");
        }
    }

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];
}
