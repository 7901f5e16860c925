using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Testing;

namespace ControlPlane.Benchmarks.Shared;

/// <summary>
/// One figure of a benchmark run, with the target DESIGN.md holds us to (if any). <paramref name="Headline"/> marks the
/// figure that answers a row of DESIGN.md's "Numbers we hold ourselves to" (it goes into the README).
/// </summary>
internal sealed record BenchmarkFigure(string Metric, double? Value, string Unit, string Target = "", bool? Met = null, bool Headline = false);

/// <summary>
/// Prints a run as a Markdown table and appends it to <c>bench/results/&lt;name&gt;.json</c> (a JSON array, one
/// entry per run) so numbers can be compared across commits and machines. When <see cref="RunDirectoryVariable"/> is
/// set (by <c>scripts/bench.sh all</c>), each run is also written there as one file, for the summary to collect.
/// </summary>
internal static class ResultsWriter
{
    public const string RunDirectoryVariable = "CONTROLPLANE_BENCH_RUN_DIR";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void Report(string name, IReadOnlyDictionary<string, string> parameters, IReadOnlyList<BenchmarkFigure> figures, IReadOnlyList<string>? notes = null)
    {
        Console.WriteLine();
        Console.WriteLine($"### {name} — {string.Join(", ", parameters.Select(p => $"{p.Key} {p.Value}"))}");
        Console.WriteLine($"_{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC_");
        Console.WriteLine();
        Console.WriteLine("| metric | measured | target | |");
        Console.WriteLine("|---|---:|---|---|");
        foreach (var f in figures)
        {
            var met = f.Met switch { true => "met", false => "**missed**", null => "" };
            Console.WriteLine($"| {f.Metric} | {Format(f.Value)} {f.Unit} | {f.Target} | {met} |");
        }

        if (notes is { Count: > 0 })
        {
            Console.WriteLine();
            foreach (var note in notes)
            {
                Console.WriteLine($"- {note}");
            }
        }

        Console.WriteLine();
        var run = ToJson(name, parameters, figures, notes ?? []);
        var path = Append(name, run);
        Console.WriteLine($"(appended to {Path.GetRelativePath(Environment.CurrentDirectory, path)})");
        if (Environment.GetEnvironmentVariable(RunDirectoryVariable) is { Length: > 0 } runDirectory)
        {
            Directory.CreateDirectory(runDirectory);
            var file = Path.Combine(runDirectory, $"{DateTimeOffset.UtcNow:yyyyMMddHHmmssfff}-{name}.json");
            File.WriteAllText(file, run.ToJsonString(Json) + "\n");
        }
    }

    private static string Append(string name, JsonObject run)
    {
        var directory = Path.Combine(ServiceProcess.RepositoryRoot(), "bench", "results");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name + ".json");
        var runs = File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonArray existing ? existing : [];
        runs.Add(run.DeepClone());
        File.WriteAllText(path, runs.ToJsonString(Json) + "\n");
        return path;
    }

    private static JsonObject ToJson(string name, IReadOnlyDictionary<string, string> parameters, IReadOnlyList<BenchmarkFigure> figures, IReadOnlyList<string> notes) =>
        new()
        {
            ["benchmark"] = name,
            ["at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["machine"] = new JsonObject
            {
                ["cores"] = Environment.ProcessorCount,
                ["os"] = RuntimeInformation.OSDescription,
                ["dotnet"] = Environment.Version.ToString(),
            },
            ["parameters"] = new JsonObject(parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
            ["figures"] = new JsonArray(figures.Select(f => (JsonNode)new JsonObject
            {
                ["metric"] = f.Metric,
                ["value"] = f.Value is { } v && double.IsFinite(v) ? v : null,
                ["unit"] = f.Unit,
                ["target"] = f.Target,
                ["met"] = f.Met,
                ["headline"] = f.Headline,
            }).ToArray()),
            ["notes"] = new JsonArray(notes.Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
        };

    public static string Format(double? value) => value switch
    {
        null => "n/a",
        { } v when !double.IsFinite(v) => "n/a",
        { } v when Math.Abs(v) >= 100 => v.ToString("#,0", CultureInfo.InvariantCulture),
        { } v when Math.Abs(v) >= 1 => v.ToString("0.0#", CultureInfo.InvariantCulture),
        { } v => v.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
