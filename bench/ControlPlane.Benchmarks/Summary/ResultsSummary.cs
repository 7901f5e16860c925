using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Benchmarks.Shared;
using ControlPlane.Testing;

namespace ControlPlane.Benchmarks.Summary;

/// <summary>
/// <c>summary</c>: gathers the runs <c>scripts/bench.sh all</c> collected in one directory into
/// <c>bench/results/latest.md</c> and <c>latest.json</c> — one table, each figure beside its DESIGN.md target, repeats
/// folded into median (min–max) — and, with <c>--readme</c>, rewrites the README's Performance section between
/// <c>&lt;!-- perf:begin --&gt;</c> and <c>&lt;!-- perf:end --&gt;</c> from the figures that answer DESIGN.md.
/// </summary>
internal static class ResultsSummary
{
    public const string BeginMarker = "<!-- perf:begin -->";
    public const string EndMarker = "<!-- perf:end -->";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        var options = ParseOptions(args);
        if (!options.TryGetValue("run", out var runDirectory) || !Directory.Exists(runDirectory))
        {
            Console.Error.WriteLine("usage: summary --run <directory of run files> [--readme README.md] [--elapsed <seconds>] [--failed a,b] [--load-before \"<loadavg>\"]");
            return 2;
        }

        var runs = Directory.GetFiles(runDirectory, "*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject())
            .ToList();
        var groups = Fold(runs);
        var machine = Machine.Describe(options.GetValueOrDefault("load-before"));
        var measuredAt = runs.Count > 0 ? DateTimeOffset.Parse(runs[0]["at"]!.GetValue<string>(), CultureInfo.InvariantCulture) : DateTimeOffset.UtcNow;
        var elapsed = options.TryGetValue("elapsed", out var e) ? TimeSpan.FromSeconds(double.Parse(e, CultureInfo.InvariantCulture)) : (TimeSpan?)null;
        var failed = options.TryGetValue("failed", out var f) ? f.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];

        var directory = Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "results");
        Directory.CreateDirectory(directory);
        var markdown = Markdown(groups, machine, measuredAt, elapsed, failed);
        File.WriteAllText(Path.Combine(directory, "latest.md"), markdown);
        File.WriteAllText(Path.Combine(directory, "latest.json"), JsonSummary(groups, machine, measuredAt, elapsed, failed).ToJsonString(Json) + "\n");
        Console.WriteLine(markdown);

        if (options.TryGetValue("readme", out var readme))
        {
            var text = File.ReadAllText(readme);
            var begin = text.IndexOf(BeginMarker, StringComparison.Ordinal);
            var end = text.IndexOf(EndMarker, StringComparison.Ordinal);
            if (begin < 0 || end < begin)
            {
                Console.Error.WriteLine($"{readme} has no {BeginMarker} … {EndMarker} section to rewrite.");
                return 1;
            }

            var section = ReadmeSection(groups, machine, measuredAt);
            File.WriteAllText(readme, text[..(begin + BeginMarker.Length)] + "\n" + section + text[end..]);
            Console.WriteLine($"(rewrote the Performance section of {readme})");
        }

        return failed.Length == 0 ? 0 : 1;
    }

    // ---- folding repeats -----------------------------------------------------------------------------------------

    private sealed record Figure(string Metric, string Unit, string Target, bool Headline, List<double?> Values, List<bool?> Met)
    {
        public double? Median => Values.OfType<double>().ToList() is { Count: > 0 } v ? Quantiles.Of(v, 0.5) : null;

        public string Measured
        {
            get
            {
                var values = Values.OfType<double>().ToList();
                var unit = Unit.Length == 0 ? "" : " " + Unit;
                return values.Count switch
                {
                    0 => "n/a",
                    1 => ResultsWriter.Format(values[0]) + unit,
                    _ => $"{ResultsWriter.Format(Median)}{unit} ({ResultsWriter.Format(values.Min())}–{ResultsWriter.Format(values.Max())}, {values.Count} runs)",
                };
            }
        }

        public string Verdict
        {
            get
            {
                var judged = Met.OfType<bool>().ToList();
                return judged.Count == 0 ? ""
                    : judged.All(m => m) ? "met"
                    : judged.All(m => !m) ? "**missed**"
                    : $"met in {judged.Count(m => m)} of {judged.Count} runs";
            }
        }

        public bool? AllMet => Met.OfType<bool>().ToList() is { Count: > 0 } judged ? judged.All(m => m) : null;
    }

    private sealed record Group(string Benchmark, string Parameters, int Runs, List<Figure> Figures, List<string> Notes)
    {
        public string Title => $"{Benchmark} ({Parameters})" + (Runs > 1 ? $" × {Runs}" : "");
    }

    private static List<Group> Fold(List<JsonObject> runs)
    {
        var groups = new List<Group>();
        foreach (var run in runs)
        {
            var benchmark = run["benchmark"]!.GetValue<string>();
            var parameters = string.Join(", ", run["parameters"]!.AsObject().Select(p => $"{p.Key} {p.Value}"));
            var group = groups.FirstOrDefault(g => g.Benchmark == benchmark && g.Parameters == parameters);
            if (group is null)
            {
                group = new Group(benchmark, parameters, 0, [], []);
                groups.Add(group);
            }

            var index = groups.IndexOf(group);
            groups[index] = group = group with { Runs = group.Runs + 1 };
            foreach (var node in run["figures"]!.AsArray())
            {
                var metric = node!["metric"]!.GetValue<string>();
                var figure = group.Figures.FirstOrDefault(x => x.Metric == metric);
                if (figure is null)
                {
                    figure = new Figure(metric, node["unit"]!.GetValue<string>(), node["target"]!.GetValue<string>(), node["headline"]?.GetValue<bool>() ?? false, [], []);
                    group.Figures.Add(figure);
                }

                figure.Values.Add(node["value"]?.GetValue<double>());
                figure.Met.Add(node["met"]?.GetValue<bool>());
            }

            foreach (var note in run["notes"]!.AsArray().Select(n => n!.GetValue<string>()).Where(n => !group.Notes.Contains(n)))
            {
                group.Notes.Add(note);
            }
        }

        return groups;
    }

    // ---- outputs --------------------------------------------------------------------------------------------------

    private static string Markdown(List<Group> groups, Machine machine, DateTimeOffset at, TimeSpan? elapsed, string[] failed)
    {
        var md = new StringBuilder();
        md.AppendLine("# Benchmark results");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Generated by `bash scripts/bench.sh all` on {at:yyyy-MM-dd HH:mm} UTC{(elapsed is { } t ? $", {t.TotalMinutes:0.0} minutes in all" : "")}. Do not edit: rerun it.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Machine:** {machine.Line}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"**Load average** (1/5/15 min) before the run: {machine.LoadBefore ?? "n/a"}; after: {machine.LoadAfter}. Other work on the machine shows up in every figure; repeated benchmarks give min–max over their runs as the noise.");
        md.AppendLine();
        md.AppendLine("| benchmark | metric | measured | target (DESIGN.md) | |");
        md.AppendLine("|---|---|---:|---|---|");
        foreach (var group in groups)
        {
            // The benchmark's name on its first row only: the table stays one table, and readable.
            for (var i = 0; i < group.Figures.Count; i++)
            {
                var figure = group.Figures[i];
                md.AppendLine(CultureInfo.InvariantCulture, $"| {(i == 0 ? $"**{group.Title}**" : "")} | {figure.Metric} | {figure.Measured} | {figure.Target} | {figure.Verdict} |");
            }
        }

        if (failed.Length > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"**Failed to run:** {string.Join(", ", failed)} (see the run's output).");
        }

        md.AppendLine();
        md.AppendLine("## Notes");
        foreach (var group in groups.Where(g => g.Notes.Count > 0))
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"**{group.Title}**");
            md.AppendLine();
            foreach (var note in group.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return md.ToString();
    }

    private static string ReadmeSection(List<Group> groups, Machine machine, DateTimeOffset at)
    {
        var md = new StringBuilder();
        md.AppendLine("## Performance");
        md.AppendLine();
        md.Append(CultureInfo.InvariantCulture, $"The figures that answer the design brief's targets, from `bash scripts/bench.sh all` on {at:yyyy-MM-dd}: {machine.Line}. ");
        md.AppendLine(
            "Every figure, the noise over repeats and how each was measured: [bench/results/latest.md](bench/results/latest.md) " +
            "(and [docs/benchmarks.md](docs/benchmarks.md)). This section is generated; rerun the command rather than editing it.");
        md.AppendLine();
        md.AppendLine("| measured | | target | |");
        md.AppendLine("|---|---:|---|---|");
        foreach (var group in groups)
        {
            foreach (var figure in group.Figures.Where(x => x.Headline))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {group.Benchmark}: {figure.Metric} | {figure.Measured} | {figure.Target} | {figure.Verdict} |");
            }
        }

        md.AppendLine();
        return md.ToString();
    }

    private static JsonObject JsonSummary(List<Group> groups, Machine machine, DateTimeOffset at, TimeSpan? elapsed, string[] failed) => new()
    {
        ["at"] = at.ToString("O", CultureInfo.InvariantCulture),
        ["elapsedSeconds"] = elapsed?.TotalSeconds,
        ["machine"] = machine.ToJson(),
        ["failed"] = new JsonArray(failed.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
        ["benchmarks"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject
        {
            ["benchmark"] = g.Benchmark,
            ["parameters"] = g.Parameters,
            ["runs"] = g.Runs,
            ["figures"] = new JsonArray(g.Figures.Select(x => (JsonNode)new JsonObject
            {
                ["metric"] = x.Metric,
                ["unit"] = x.Unit,
                ["median"] = Finite(x.Median),
                ["min"] = Finite(x.Values.OfType<double>().DefaultIfEmpty(double.NaN).Min()),
                ["max"] = Finite(x.Values.OfType<double>().DefaultIfEmpty(double.NaN).Max()),
                ["values"] = new JsonArray(x.Values.Select(v => (JsonNode?)JsonValue.Create(Finite(v))).ToArray()),
                ["target"] = x.Target,
                ["met"] = x.AllMet,
                ["metRuns"] = x.Met.Count(m => m == true),
                ["headline"] = x.Headline,
            }).ToArray()),
            ["notes"] = new JsonArray(g.Notes.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
        }).ToArray()),
    };

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static Dictionary<string, string> ParseOptions(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i].TrimStart('-')] = args[i + 1];
        }

        return options;
    }

    /// <summary>What the numbers were measured on.</summary>
    private sealed record Machine(int Cores, string Cpu, double MemoryGb, string Os, string DotNet, string? LoadBefore, string LoadAfter)
    {
        public string Line => $"{Cores} cores ({Cpu}), {MemoryGb:0.#} GB memory, {Os}, .NET {DotNet}";

        public static Machine Describe(string? loadBefore) => new(
            Environment.ProcessorCount,
            ProcLine("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
            (ProcLine("/proc/meminfo", "MemTotal") is { } kb ? double.Parse(kb.Split(' ')[0], CultureInfo.InvariantCulture) : 0) / (1024 * 1024),
            OsName(),
            Environment.Version.ToString(),
            loadBefore,
            File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a");

        public JsonObject ToJson() => new()
        {
            ["cores"] = Cores,
            ["cpu"] = Cpu,
            ["memoryGb"] = Math.Round(MemoryGb, 1),
            ["os"] = Os,
            ["dotnet"] = DotNet,
            ["loadBefore"] = LoadBefore,
            ["loadAfter"] = LoadAfter,
        };

        private static string OsName()
        {
            var pretty = File.Exists("/etc/os-release")
                ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"')
                : null;
            return pretty is null ? RuntimeInformation.OSDescription : $"{pretty} (kernel {Environment.OSVersion.Version})";
        }

        private static string? ProcLine(string path, string key) =>
            File.Exists(path)
                ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
                : null;
    }
}
