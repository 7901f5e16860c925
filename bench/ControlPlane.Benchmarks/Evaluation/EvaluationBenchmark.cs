using System.Diagnostics;
using System.Globalization;
using System.Text;
using ControlPlane.Benchmarks.Shared;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;
using ControlPlane.Core.Overrides;
using ControlPlane.Core.Probing;
using ControlPlane.Core.Routing;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Benchmarks.Evaluation;

/// <summary>
/// <c>evaluation</c>: what one leader evaluation costs at scale, and how long a hard outage takes to open a breaker
/// with active probes only. In-process, no I/O:
/// <list type="number">
/// <item>Cost: 10,000 targets and 1,000 routes, windows filled with a minute of realistic samples; one evaluation is
/// what <c>BreakerEvaluator</c> does in memory — the state machine for every target, the routing table, its content
/// hash. Wall time p50/p99 over many evaluations after warm-up, and bytes allocated per evaluation.</item>
/// <item>Detection: simulated time with explicit timestamps. One target probed at the default interval (10 s) with
/// adaptive probing (<see cref="ProbeCadence.IntervalFor"/>, rescheduled the way <c>ProbeCadenceController</c>
/// does), default breaker settings, a hard outage starting at a random phase of the probe schedule. Reports
/// outage start → Open, for fast failures (529/5xx) and for timeouts.</item>
/// </list>
/// Options: <c>--targets N --routes N --iterations N --warmup N --phases N --seed N</c>.
/// </summary>
public static class EvaluationBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = Options.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: evaluation [--targets 10000] [--routes 1000] [--iterations 200] [--warmup 20] [--phases 1000] [--seed 1]");
            return Task.FromResult(2);
        }

        Console.WriteLine($"evaluation benchmark: {options.Targets:N0} targets, {options.Routes:N0} routes, {options.Iterations} iterations after {options.Warmup} warm-up; {options.Phases:N0} outage phases; seed {options.Seed}");
        var cost = MeasureCost(options);
        var fast = MeasureDetection(options, OutageKind.FastFailure);
        var timeouts = MeasureDetection(options, OutageKind.Timeout);
        Console.WriteLine();
        Console.WriteLine(Report(options, cost, fast, timeouts));
        const double interval = 10;
        ResultsWriter.Report(
            "evaluation",
            new Dictionary<string, string>
            {
                ["targets"] = options.Targets.ToString(CultureInfo.InvariantCulture),
                ["routes"] = options.Routes.ToString(CultureInfo.InvariantCulture),
                ["iterations"] = options.Iterations.ToString(CultureInfo.InvariantCulture),
                ["phases"] = options.Phases.ToString(CultureInfo.InvariantCulture),
                ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            },
            [
                new($"evaluation of {options.Targets:N0} targets + {options.Routes:N0} routes, p50", cost.P50Ms, "ms"),
                new($"evaluation of {options.Targets:N0} targets + {options.Routes:N0} routes, p99", cost.P99Ms, "ms", "fits the 500 ms evaluation cadence", cost.P99Ms < 500),
                new("allocated per evaluation", cost.AllocatedBytes / (1024 * 1024), "MB"),
                new("hard outage → open, fast errors (529/5xx), median", fast.MedianS, "s"),
                new("hard outage → open, fast errors (529/5xx), max", fast.MaxS, "s", "≤ 2 probe intervals (20 s)", fast.MaxS <= 2 * interval, Headline: true),
                new("hard outage → open, provider hangs, median", timeouts.MedianS, "s"),
                new("hard outage → open, provider hangs, max", timeouts.MaxS, "s", "≤ 2 probe intervals (20 s)", timeouts.MaxS <= 2 * interval, Headline: true),
            ],
            [
                $"In-process, no I/O. Detection is simulated through the real windows, state machine and adaptive cadence over {options.Phases:N0} random outage phases, interval 10 s, timeout 5 s.",
            ]);
        return Task.FromResult(0);
    }

    // ---- evaluation cost ----------------------------------------------------------------------------------------

    private sealed record CostResult(double P50Ms, double P99Ms, double MeanMs, double MaxMs, double AllocatedBytes, int OpenTargets, int Versions);

    private static CostResult MeasureCost(Options options)
    {
        var random = new Random(options.Seed);
        var catalog = BuildCatalog(options.Targets, options.Routes, random);
        var windows = new HealthWindows();
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var now = start + TimeSpan.FromSeconds(60);
        FillWindows(catalog, windows, start, now, random);

        var settings = BreakerSettings.Default;
        var states = catalog.Targets.Keys.ToDictionary(id => id, _ => BreakerState.Initial(start));
        var overrides = Array.Empty<Override>();
        string? lastHash = null;
        var versions = 0;

        // The windows stay as filled, so every evaluation sees the same minute of evidence: time moves on by 2 ms a
        // step only, keeping each evaluation a real one (not a replay) without sliding the window empty.
        var samples = new double[options.Iterations];
        var allocated = 0L;
        for (var i = -options.Warmup; i < options.Iterations; i++)
        {
            var at = now + TimeSpan.FromMilliseconds(2 * (i + options.Warmup));
            var before = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();

            var snapshots = new Dictionary<TargetId, BreakerSnapshot>(catalog.Targets.Count);
            foreach (var target in catalog.Targets.Values)
            {
                var evaluation = BreakerStateMachine.Evaluate(states[target.Id], windows.For(target.Id), settings, target.Probe.LatencyObjective, at);
                if (evaluation.State != states[target.Id])
                {
                    states[target.Id] = evaluation.State;
                }

                snapshots[target.Id] = evaluation.ToSnapshot();
            }

            var table = RoutingTableBuilder.Build(catalog, snapshots, overrides, at);
            var hash = table.ContentHash;

            var elapsed = Stopwatch.GetElapsedTime(started);
            var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            if (hash != lastHash)
            {
                lastHash = hash;
                versions++;
            }

            if (i >= 0)
            {
                samples[i] = elapsed.TotalMilliseconds;
                allocated += bytes;
            }
        }

        Array.Sort(samples);
        return new CostResult(
            Percentile(samples, 0.50),
            Percentile(samples, 0.99),
            samples.Average(),
            samples[^1],
            allocated / (double)options.Iterations,
            states.Values.Count(s => s.State is CircuitState.Open or CircuitState.HalfOpen),
            versions);
    }

    private static ProviderCatalog BuildCatalog(int targetCount, int routeCount, Random random)
    {
        var kinds = new[] { ProviderKind.Anthropic, ProviderKind.OpenAI, ProviderKind.Gemini, ProviderKind.OpenAICompatible };
        var providerCount = Math.Max(1, targetCount / 200);
        var providers = Enumerable.Range(0, providerCount)
            .Select(p => new ProviderDefinition(
                $"provider-{p:D3}", kinds[p % kinds.Length], new Uri($"https://provider-{p}.example/"), new ApiKeySource($"KEY_{p}", null),
                new Dictionary<string, string>(), null))
            .ToList();
        var probe = new ProbeSettings(ProbeMode.Inference, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(5), 1, "ping", true,
            new Dictionary<string, string>());
        var targets = Enumerable.Range(0, targetCount)
            .Select(t =>
            {
                var provider = providers[t % providerCount].Id;
                var model = $"model-{t / providerCount:D4}";
                return new TargetDefinition(TargetId.For(provider, model), provider, model, probe);
            })
            .ToList();

        // Routes: 2–3 tiers of 1–3 targets each, on different providers where possible (how real routes fail over).
        var routes = Enumerable.Range(0, routeCount)
            .Select(r => new RouteDefinition(
                $"route-{r:D4}",
                Enumerable.Range(0, 2 + random.Next(2))
                    .Select(_ => new RouteTier(Enumerable.Range(0, 1 + random.Next(3))
                        .Select(_ => targets[random.Next(targets.Count)].Id)
                        .Distinct()
                        .Select(id => new WeightedTarget(id, 1 + random.Next(3)))
                        .ToList()))
                    .ToList(),
                r % 10 == 0 ? PanicPolicy.FailClosed : PanicPolicy.FailOpen))
            .ToList();
        return new ProviderCatalog(providers, targets, routes);
    }

    /// <summary>
    /// A minute of probes every 10 s at each target's own phase: mostly fast answers with a log-normal latency, a
    /// sprinkle of 429s and 5xx, 2% of targets in a hard outage (all 529) and 3% slow (over the objective).
    /// </summary>
    private static void FillWindows(ProviderCatalog catalog, HealthWindows windows, DateTimeOffset from, DateTimeOffset to, Random random)
    {
        foreach (var target in catalog.Targets.Values)
        {
            var profile = random.NextDouble();
            var phase = TimeSpan.FromMilliseconds(random.Next(10_000));
            for (var at = from + phase; at <= to; at += target.Probe.Interval)
            {
                ProbeOutcome outcome;
                TimeSpan latency;
                if (profile < 0.02)
                {
                    (outcome, latency) = (ProbeOutcome.Overloaded, TimeSpan.FromMilliseconds(120 + random.Next(80)));
                }
                else
                {
                    var roll = random.NextDouble();
                    latency = TimeSpan.FromMilliseconds(Math.Exp(6.2 + (0.5 * Gaussian(random))) * (profile < 0.05 ? 12 : 1));
                    outcome = roll < 0.01 ? ProbeOutcome.RateLimited
                        : roll < 0.02 ? ProbeOutcome.ServerError
                        : latency > target.Probe.LatencyObjective ? ProbeOutcome.Slow
                        : ProbeOutcome.Success;
                }

                windows.Record(new ProbeSample(target.Id, target.ProviderId, target.Model, outcome, at, latency,
                    outcome.IsAvailable() ? latency * 0.4 : null));
            }
        }
    }

    // ---- detection time -----------------------------------------------------------------------------------------

    private enum OutageKind
    {
        /// <summary>The provider answers at once with an error (529 overloaded, 503): what most outages look like.</summary>
        FastFailure,

        /// <summary>The provider accepts and never answers: each probe costs its whole timeout.</summary>
        Timeout,
    }

    private sealed record DetectionResult(double MinS, double MedianS, double P90S, double MaxS, double MeanProbesToOpen);

    private static DetectionResult MeasureDetection(Options options, OutageKind kind)
    {
        var random = new Random(options.Seed + (int)kind + 1);
        var probe = CatalogBuilder.DefaultProbe;
        var results = new double[options.Phases];
        var probes = 0.0;
        for (var i = 0; i < options.Phases; i++)
        {
            var (seconds, count) = SimulateOutage(probe, kind, random);
            results[i] = seconds;
            probes += count;
        }

        Array.Sort(results);
        return new DetectionResult(results[0], Percentile(results, 0.5), Percentile(results, 0.9), results[^1], probes / options.Phases);
    }

    /// <summary>
    /// One target, one outage. Probes fire on a Quartz-like schedule (a job never overlaps itself: a fire while the
    /// previous probe still runs waits for it, or is skipped past the misfire threshold); every result wakes the
    /// evaluator, which runs the state machine and, when the wanted interval changes, reschedules the trigger at
    /// evaluation time + the target's stable jitter, like ProbeCadenceController (a faster interval starts at once).
    /// </summary>
    private static (double Seconds, int ProbesDuringOutage) SimulateOutage(ProbeSettings probe, OutageKind kind, Random random)
    {
        var settings = BreakerSettings.Default;
        var misfireThreshold = TimeSpan.FromSeconds(5);
        var id = new TargetId($"provider/model-{random.Next():x8}");
        var window = new TargetWindow(id, WindowOptions.Default);
        var epoch = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var state = BreakerState.Initial(epoch);

        // Healthy history first, so the outage lands on a warm window; the outage starts at a random phase of the schedule.
        var outageAt = epoch + TimeSpan.FromSeconds(120) + TimeSpan.FromTicks((long)(random.NextDouble() * probe.Interval.Ticks));
        var interval = probe.Interval;
        var nextFire = epoch + ProbeSlots.PhaseOf(id, interval);
        var busyUntil = DateTimeOffset.MinValue;
        var probesDuringOutage = 0;

        for (var guard = 0; guard < 10_000; guard++)
        {
            // DisallowConcurrentExecution: wait for the running probe; a fire later than the misfire threshold is skipped.
            var fire = nextFire;
            while (busyUntil > fire && busyUntil - fire > misfireThreshold)
            {
                fire += interval;
            }

            fire = busyUntil > fire ? busyUntil : fire;
            var down = fire >= outageAt;
            var (outcome, latency) = !down
                ? (ProbeOutcome.Success, TimeSpan.FromMilliseconds(Math.Exp(6.2 + (0.4 * Gaussian(random)))))
                : kind == OutageKind.FastFailure
                    ? (ProbeOutcome.Overloaded, TimeSpan.FromMilliseconds(100 + random.Next(100)))
                    : (ProbeOutcome.Timeout, ProbeCadence.EffectiveTimeout(probe, interval));
            probesDuringOutage += down ? 1 : 0;

            var completed = fire + latency;
            busyUntil = completed;
            window.Record(new ProbeSample(id, "provider", "model", outcome, fire, latency));

            // The result wakes the evaluator (its minimum gap, 50 ms, is noise at this scale).
            var evaluation = BreakerStateMachine.Evaluate(state, window, settings, probe.LatencyObjective, completed);
            state = evaluation.State;
            if (state.State == CircuitState.Open)
            {
                return ((completed - outageAt).TotalSeconds, probesDuringOutage);
            }

            var wanted = ProbeCadence.IntervalFor(state, probe);
            if (wanted != interval)
            {
                interval = wanted;
                nextFire = interval < probe.Interval ? completed : completed + ProbeSlots.PhaseOf(id, interval);
            }
            else
            {
                nextFire = fire + interval;
            }
        }

        throw new InvalidOperationException("The breaker never opened: the simulation is wrong.");
    }

    // ---- report ---------------------------------------------------------------------------------------------------

    private static string Report(Options options, CostResult cost, DetectionResult fast, DetectionResult timeouts)
    {
        static string S(double v) => v.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        static string Ms(double v) => v.ToString("0.00", CultureInfo.InvariantCulture) + " ms";
        var interval = 10.0;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"| what | measured | target |");
        sb.AppendLine("|---|---|---|");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| evaluation, {options.Targets:N0} targets + {options.Routes:N0} routes (state machine + routing table + hash), p50 / p99 | {Ms(cost.P50Ms)} / {Ms(cost.P99Ms)} (mean {Ms(cost.MeanMs)}, max {Ms(cost.MaxMs)}) | fits the 500 ms evaluation cadence |");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| allocated per evaluation | {(cost.AllocatedBytes / (1024 * 1024)).ToString("0.0", CultureInfo.InvariantCulture)} MB | — |");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| hard outage → breaker open, active probes only, fast errors (529/5xx), interval 10 s, min / median / p90 / max over {options.Phases:N0} phases | {S(fast.MinS)} / {S(fast.MedianS)} / {S(fast.P90S)} / {S(fast.MaxS)} (max {(fast.MaxS / interval).ToString("0.00", CultureInfo.InvariantCulture)} intervals; {fast.MeanProbesToOpen.ToString("0.0", CultureInfo.InvariantCulture)} probes) | ≤ 2 probe intervals (≤ 20 s) |");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"| same, provider hangs (default 5 s probe timeout, capped at the fast interval) | {S(timeouts.MinS)} / {S(timeouts.MedianS)} / {S(timeouts.P90S)} / {S(timeouts.MaxS)} (max {(timeouts.MaxS / interval).ToString("0.00", CultureInfo.InvariantCulture)} intervals; {timeouts.MeanProbesToOpen.ToString("0.0", CultureInfo.InvariantCulture)} probes) | ≤ 2 probe intervals (≤ 20 s) |");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"Cost run: {cost.OpenTargets:N0} targets open or half-open (the simulated 2% outage), {cost.Versions} distinct table(s) over {options.Warmup + options.Iterations} evaluations. Breaker defaults: {BreakerSettings.Default.ConsecutiveFailureThreshold} consecutive failures; adaptive probing at interval/{ProbeCadenceSettings.Default.FastDivisor:0} once a failure makes the target suspect.");
        return sb.ToString();
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private sealed record Options(int Targets, int Routes, int Iterations, int Warmup, int Phases, int Seed)
    {
        public static Options? Parse(string[] args)
        {
            Options? o = new Options(10_000, 1_000, 200, 20, 1_000, 1);
            for (var i = 0; i < args.Length; i++)
            {
                if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
                {
                    return null;
                }

                o = args[i] switch
                {
                    "--targets" => o with { Targets = value },
                    "--routes" => o with { Routes = value },
                    "--iterations" => o with { Iterations = value },
                    "--warmup" => o with { Warmup = value },
                    "--phases" => o with { Phases = value },
                    "--seed" => o with { Seed = value },
                    _ => null,
                };
                if (o is null)
                {
                    return null;
                }

                i++;
            }

            return o;
        }
    }
}
