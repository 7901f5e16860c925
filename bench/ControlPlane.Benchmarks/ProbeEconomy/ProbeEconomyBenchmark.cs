using System.Diagnostics;
using System.Globalization;
using System.Text;
using ControlPlane.Benchmarks.Shared;

namespace ControlPlane.Benchmarks.ProbeEconomy;

/// <summary>
/// <c>probe-economy</c>: what probing a fleet costs and what it buys in detection time, for five ways of probing it,
/// side by side on the same catalog, traffic and outages (issue #16). A virtual-time simulation through the real
/// decision code (see <see cref="FleetSimulation"/>); runs in seconds, needs no Postgres.
/// </summary>
internal sealed class ProbeEconomyBenchmark : IBenchmark
{
    public string Name => "probe-economy";

    public string Description => "Probe spend (tokens, $/month) vs detection time for fixed, adaptive, traffic-suppressed and models-only probing (virtual time)";

    public string Usage => "[--targets 100] [--duration 1h] [--interval 10s] [--outages 16] [--traffic-share 0.5] [--rates 1-5] [--error-rate 0.001] [--gateway-timeout 30s] [--budget 30] [--seed 1]";

    public Task<int> RunAsync(BenchmarkArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var targets = arguments.Int("targets", 100);
        var duration = arguments.Duration("duration", TimeSpan.FromHours(1));
        var interval = arguments.Duration("interval", TimeSpan.FromSeconds(10));
        var outageCount = arguments.Int("outages", 16);
        var seed = arguments.Int("seed", 1);
        var trafficShare = Fraction(arguments, "traffic-share", 0.5);
        var errorRate = Fraction(arguments, "error-rate", 0.001);
        var gatewayTimeout = arguments.Duration("gateway-timeout", TimeSpan.FromSeconds(30));
        var (minRate, maxRate) = Range(arguments.String("rates", "1-5"));
        var budget = int.TryParse(arguments.String("budget", "30"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var b) && b >= 0
            ? b
            : throw new BenchmarkSetupException("--budget must be probes per minute per provider (0: no budget row).");

        var plan = FleetPlan.Create(targets, trafficShare, minRate, maxRate, outageCount, duration, seed);
        var options = new SimulationOptions(duration, interval, errorRate, gatewayTimeout, seed);
        Console.WriteLine(
            $"probe-economy: {targets} targets ({plan.Targets.Count(t => t.Family.Reasoning)} reasoning), {plan.Targets.Count(t => t.HasTraffic)} with gateway traffic at {Invariant(minRate)}–{Invariant(maxRate)} req/s, " +
            $"base interval {interval.TotalSeconds:0.#} s, {duration.TotalHours:0.##} h simulated, {plan.Outages.Count} outages, sporadic error rate {Invariant(errorRate)}, seed {seed}");

        var started = Stopwatch.GetTimestamp();
        IReadOnlyList<ProbeStrategy> strategies = budget > 0 ? [.. ProbeStrategy.All, ProbeStrategy.Budgeted(budget)] : ProbeStrategy.All;
        var results = strategies.Select(s => new FleetSimulation(plan, s, options).Run()).ToList();
        var elapsed = Stopwatch.GetElapsedTime(started);

        var naive = results[0];
        Console.WriteLine();
        Console.WriteLine(CompareTable(results, naive, interval));
        Console.WriteLine(KindTable(results));
        Console.WriteLine(MissedList(results, plan));
        Console.WriteLine(FamilyTable(plan, interval));
        Console.WriteLine(OutageTable(plan));
        Console.WriteLine($"({results.Sum(r => r.Evaluations):N0} breaker evaluations in {elapsed.TotalSeconds:0.0} s of wall time for all {results.Count} runs)");

        ResultsWriter.Report(
            Name,
            new Dictionary<string, string>
            {
                ["targets"] = targets.ToString(CultureInfo.InvariantCulture),
                ["duration"] = $"{duration.TotalHours:0.##}h",
                ["interval"] = $"{interval.TotalSeconds:0.#}s",
                ["outages"] = outageCount.ToString(CultureInfo.InvariantCulture),
                ["traffic-share"] = Invariant(trafficShare),
                ["rates"] = $"{Invariant(minRate)}-{Invariant(maxRate)}",
                ["error-rate"] = Invariant(errorRate),
                ["gateway-timeout"] = $"{gatewayTimeout.TotalSeconds:0.#}s",
                ["budget"] = budget.ToString(CultureInfo.InvariantCulture),
                ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            },
            Figures(results, naive, interval),
            Notes(plan, options));
        return Task.FromResult(0);
    }

    // ---- figures ------------------------------------------------------------------------------------------------

    private static List<BenchmarkFigure> Figures(List<StrategyResult> results, StrategyResult naive, TimeSpan interval)
    {
        var figures = new List<BenchmarkFigure>();
        var twoIntervals = 2 * interval.TotalSeconds;
        foreach (var r in results)
        {
            var key = $"({r.Strategy.Key})";
            var isC = r.Strategy.Key == "c";
            var quiet = Summary(r, traffic: false);
            var busy = Summary(r, traffic: true);
            figures.Add(new($"{key} inference probes per hour", r.PerHour(r.InferenceProbes), "/h"));
            figures.Add(new($"{key} models probes per hour", r.PerHour(r.ModelsProbes), "/h"));
            figures.Add(new($"{key} tokens per hour", r.PerHour(r.Tokens), "tokens/h"));
            figures.Add(new($"{key} spend at list prices", (double)r.Cost / r.Duration.TotalHours * 720, "$/month"));
            figures.Add(isC
                ? new($"{key} tokens ÷ (a) tokens", Ratio(r, naive), "×", "≤ 0.1 (a tenth of fixed naive probing)", Ratio(r, naive) <= 0.1, Headline: true)
                : new($"{key} tokens ÷ (a) tokens", Ratio(r, naive), "×"));
            figures.Add(isC
                ? new($"{key} spend ÷ (a) spend", CostRatio(r, naive), "×", "≤ 0.1", CostRatio(r, naive) <= 0.1)
                : new($"{key} spend ÷ (a) spend", CostRatio(r, naive), "×"));
            figures.Add(new($"{key} detection without traffic, median", quiet.Median, "s"));
            figures.Add(isC
                ? new($"{key} detection without traffic, max ({quiet.Detected} of {quiet.Count} detected)", quiet.Max, "s",
                    $"≤ 2 probe intervals ({twoIntervals:0} s), none missed", quiet.Missed == 0 && quiet.Max <= twoIntervals, Headline: true)
                : new($"{key} detection without traffic, max ({quiet.Detected} of {quiet.Count} detected)", quiet.Max, "s"));
            figures.Add(new($"{key} detection with traffic, median", busy.Median, "s"));
            figures.Add(isC
                ? new($"{key} detection with traffic, max ({busy.Detected} of {busy.Count} detected)", busy.Max, "s",
                    "≤ 2 s, none missed", busy.Missed == 0 && busy.Max <= 2, Headline: true)
                : new($"{key} detection with traffic, max ({busy.Detected} of {busy.Count} detected)", busy.Max, "s"));
            figures.Add(new($"{key} outages missed", quiet.Missed + busy.Missed, $"of {quiet.Count + busy.Count}"));
            figures.Add(new($"{key} breaker opens outside any outage", r.OpensOutsideOutages, ""));
            if (r.Rates is { } rates && r.Strategy.BudgetPerMinute is { } budget)
            {
                figures.Add(new($"{key} busiest provider's probes per minute, mean over the run", rates.BusiestMean, "/min", $"≤ {budget} (the budget)", rates.BusiestMean <= budget));
                figures.Add(new($"{key} busiest provider's probes in one clock minute", rates.BusiestMinute, "/min"));
            }
        }

        return figures;
    }

    private static List<string> Notes(FleetPlan plan, SimulationOptions options) =>
    [
        "Virtual time, no I/O: the real TargetWindow, BreakerStateMachine (default settings), ProbeCadence.Decide/EffectiveTimeout and ProbeSlots.NextSlot, wired like LocalProbeScheduler and the leader's evaluation (on every probe result and every 1 s traffic report).",
        $"{plan.Targets.Count} targets, {plan.Targets.Count(t => t.Family.Reasoning)} of them reasoning models; {plan.Targets.Count(t => t.HasTraffic)} with gateway traffic (reported every 1 s; the rate follows the breaker's weight: none while Open/HalfOpen). {plan.Outages.Count} outages of 30 s–10 min, kinds in turn (5xx, 529, hang, inference-only 529), half on targets with traffic. Sporadic errors outside outages: {Invariant(options.ErrorRate)} of probes and requests.",
        "Tokens per successful inference probe from a table per model family and shape (naive: default reasoning effort / dynamic thinking; profiles: effort minimal/low, thinkingBudget 0/128); models probes and failed probes cost nothing. $/month = list prices (2026, illustrative) × 720 h.",
        $"Detection = outage start → breaker Open (the same evaluation's table takes the target's traffic away); missed = no Open before the outage ended (+{DetectionGraceSeconds} s). A gateway request to a hung provider is reported when the gateway gives up on it ({options.GatewayTimeout.TotalSeconds:0} s here).",
        "Not modelled: the probe shape's effect on latency (hundreds of reasoning tokens add seconds), the 50 ms minimum evaluation gap, the cadence store round trip to other replicas (one replica probes everything), provider-wide outages, 429s.",
        "(c+budget): the same as (c) with ProbeBudget.Allocate over each provider's demands after every evaluation, intervals applied with the scheduler's rules (a shorter one probes at once); probes per provider are counted as sent.",
    ];

    private static int DetectionGraceSeconds => (int)Core.Catalog.CatalogBuilder.DefaultProbe.Timeout.TotalSeconds;

    private sealed record DetectionSummary(int Count, int Detected, double Median, double Max)
    {
        public int Missed => Count - Detected;
    }

    private static DetectionSummary Summary(StrategyResult r, bool? traffic, OutageKind? kind = null)
    {
        var chosen = r.Detections.Where(d => (traffic is null || d.Traffic == traffic) && (kind is null || d.Outage.Kind == kind)).ToList();
        var times = chosen.Where(d => d.After is not null).Select(d => d.After!.Value.TotalSeconds).ToList();
        return new DetectionSummary(chosen.Count, times.Count, Quantiles.Of(times, 0.5), times.Count > 0 ? times.Max() : double.NaN);
    }

    private static double Ratio(StrategyResult r, StrategyResult naive) => naive.Tokens == 0 ? double.NaN : r.Tokens / (double)naive.Tokens;

    private static double CostRatio(StrategyResult r, StrategyResult naive) => naive.Cost == 0 ? double.NaN : (double)(r.Cost / naive.Cost);

    // ---- tables -------------------------------------------------------------------------------------------------

    private static string CompareTable(List<StrategyResult> results, StrategyResult naive, TimeSpan interval)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| strategy | inference probes/h | models probes/h | tokens/h | $/month | tokens ÷ (a) | $ ÷ (a) | detection, no traffic: median / max | detection, traffic: median / max | missed |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var quiet = Summary(r, traffic: false);
            var busy = Summary(r, traffic: true);
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| ({r.Strategy.Key}) {r.Strategy.Label} | {r.PerHour(r.InferenceProbes):N0} | {r.PerHour(r.ModelsProbes):N0} | {r.PerHour(r.Tokens):N0} | {Dollars((double)r.Cost / r.Duration.TotalHours * 720)} | {Ratio(r, naive):0.000} | {CostRatio(r, naive):0.000} | {Seconds(quiet)} | {Seconds(busy)} | {quiet.Missed + busy.Missed} of {quiet.Count + busy.Count} |");
        }

        foreach (var r in results.Where(r => r.Rates is not null))
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"({r.Strategy.Key}): the busiest provider sent {r.Rates!.BusiestMean:0.0} probes per minute on average (budget {r.Strategy.BudgetPerMinute}), at most {r.Rates.BusiestMinute} in one clock minute.");
        }

        var c = results.First(r => r.Strategy.Key == "c");
        var cQuiet = Summary(c, traffic: false);
        var cBusy = Summary(c, traffic: true);
        sb.AppendLine();
        sb.AppendLine("Targets from issue #16, for (c):");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- tokens ≤ 1/10 of (a): {Ratio(c, naive):0.000} of (a) — {Verdict(Ratio(c, naive) <= 0.1)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- spend ($) ≤ 1/10 of (a): {CostRatio(c, naive):0.000} of (a) — {Verdict(CostRatio(c, naive) <= 0.1)}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"- max detection without traffic ≤ 2 probe intervals ({2 * interval.TotalSeconds:0} s): {Seconds(cQuiet)}{(cQuiet.Missed > 0 ? $", {cQuiet.Missed} missed" : "")} — {Verdict(cQuiet.Missed == 0 && cQuiet.Max <= 2 * interval.TotalSeconds)}");
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"- max detection with traffic ≤ 2 s: {Seconds(cBusy)}{(cBusy.Missed > 0 ? $", {cBusy.Missed} missed" : "")} — {Verdict(cBusy.Missed == 0 && cBusy.Max <= 2)}");
        return sb.ToString();
    }

    private static string KindTable(List<StrategyResult> results)
    {
        var kinds = Enum.GetValues<OutageKind>();
        var sb = new StringBuilder();
        sb.AppendLine("Detection by outage kind, median / max (missed), without traffic | with traffic:");
        sb.AppendLine();
        sb.AppendLine("| strategy | " + string.Join(" | ", kinds) + " |");
        sb.AppendLine("|---|" + string.Concat(kinds.Select(_ => "---:|")));
        foreach (var r in results)
        {
            var cells = kinds.Select(k => $"{KindCell(Summary(r, false, k))} \\| {KindCell(Summary(r, true, k))}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"| ({r.Strategy.Key}) | {string.Join(" | ", cells)} |");
        }

        return sb.ToString();
    }

    private static string KindCell(DetectionSummary s) =>
        s.Count == 0 ? "—" : $"{Seconds(s)}{(s.Missed > 0 ? $" ({s.Missed} missed)" : "")}";

    private static string MissedList(List<StrategyResult> results, FleetPlan plan)
    {
        var sb = new StringBuilder();
        var any = false;
        foreach (var r in results)
        {
            foreach (var d in r.Detections.Where(d => d.After is null))
            {
                if (!any)
                {
                    sb.AppendLine("Missed outages (no breaker Open while the outage lasted):");
                    any = true;
                }

                var target = plan.Targets[d.Outage.Target];
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"- ({r.Strategy.Key}) outage #{d.Outage.Number}: {d.Outage.Kind} for {d.Outage.Length.TotalSeconds:0} s on {target.Id} ({(target.HasTraffic ? "with traffic" : "no traffic")}) — {WhyMissed(r.Strategy, d)}");
            }
        }

        return any ? sb.ToString() : "No outage missed by any strategy.\n";
    }

    private static string WhyMissed(ProbeStrategy strategy, Detection d) =>
        d.Outage.Kind == OutageKind.InferenceOnly && strategy.Mode == Core.Catalog.ProbeMode.Models && !d.Traffic
            ? "list-models still answers: a models probe cannot see an inference-only failure"
            : d.Outage.Kind == OutageKind.InferenceOnly && strategy.Mode == Core.Catalog.ProbeMode.Models
                ? "list-models still answers, and the traffic's failures alone did not open the breaker in time"
                : "not enough failures reached the window before the outage ended";

    private static string FamilyTable(FleetPlan plan, TimeSpan interval)
    {
        var probesPerMonth = TimeSpan.FromHours(720) / interval;
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Tokens per successful inference probe, and one target's spend probed every {interval.TotalSeconds:0.#} s for a month ({probesPerMonth:N0} probes), at list prices:");
        sb.AppendLine();
        sb.AppendLine("| model family | targets | input | output | reasoning, naive | reasoning, profile | $ in / out per M | $/month per target, naive | $/month, profile |");
        sb.AppendLine("|---|---:|---:|---:|---|---|---:|---:|---:|");
        foreach (var f in ModelFamilies.All)
        {
            var naive = (double)f.CostOf(f.UsageFor(ProbeShape.Naive)) * probesPerMonth;
            var profiled = (double)f.CostOf(f.UsageFor(ProbeShape.Profiled)) * probesPerMonth;
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Model} | {plan.Targets.Count(t => t.Family == f)} | {f.InputTokens} | {f.OutputTokens} | {f.NaiveReasoningTokens} ({f.NaiveSetting}) | {f.ProfiledReasoningTokens} ({f.ProfiledSetting}) | {f.InputPerMillion:0.##} / {f.OutputPerMillion:0.##} | {Dollars(naive)} | {Dollars(profiled)} |");
        }

        return sb.ToString();
    }

    private static string OutageTable(FleetPlan plan)
    {
        var sb = new StringBuilder();
        sb.AppendLine("Injected outages (the same in every run):");
        sb.AppendLine();
        sb.AppendLine("| # | kind | target | traffic | start | length |");
        sb.AppendLine("|---:|---|---|---:|---:|---:|");
        foreach (var o in plan.Outages)
        {
            var target = plan.Targets[o.Target];
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {o.Number} | {o.Kind} | {target.Id} | {(target.HasTraffic ? $"{target.TrafficPerSecond:0.0} req/s" : "—")} | {o.Start:hh\\:mm\\:ss} | {o.Length.TotalSeconds:0} s |");
        }

        return sb.ToString();
    }

    // ---- formatting and options -------------------------------------------------------------------------------

    private static string Seconds(DetectionSummary s) =>
        s.Detected == 0 ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{s.Median:0.0} s / {s.Max:0.0} s");

    private static string Dollars(double value) => value.ToString(value >= 100 ? "$#,0" : "$0.00", CultureInfo.InvariantCulture);

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    private static string Invariant(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static double Fraction(BenchmarkArguments arguments, string name, double fallback)
    {
        var text = arguments.String(name, fallback.ToString(CultureInfo.InvariantCulture));
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : throw new BenchmarkSetupException($"--{name} must be a number from 0 to 1, got '{text}'.");
    }

    private static (double Min, double Max) Range(string text)
    {
        var parts = text.Split('-');
        return parts.Length == 2
               && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var min)
               && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var max)
               && min > 0 && max >= min
            ? (min, max)
            : throw new BenchmarkSetupException($"--rates must be 'min-max' requests per second (e.g. 1-5), got '{text}'.");
    }
}
