using System.Globalization;
using ControlPlane.Testing;

namespace ControlPlane.Benchmarks.Shared;

/// <summary><c>--name value</c> options, with durations written as <c>500ms</c>, <c>10s</c>, <c>2m</c>.</summary>
internal sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> _values;

    private BenchmarkArguments(Dictionary<string, string> values) => _values = values;

    public static BenchmarkArguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new BenchmarkSetupException($"Expected '--option value', got '{args[i]}'.");
            }

            values[args[i][2..]] = args[++i];
        }

        return new BenchmarkArguments(values);
    }

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var text)
            ? int.TryParse(text.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : throw new BenchmarkSetupException($"--{name} must be a positive integer, got '{text}'.")
            : fallback;

    public IReadOnlyList<int> Ints(string name, IReadOnlyList<int> fallback) =>
        _values.TryGetValue(name, out var text)
            ? text.Split(',').Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new BenchmarkSetupException($"--{name} must be positive integers separated by commas, got '{text}'.")).ToList()
            : fallback;

    public string String(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        if (!_values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        foreach (var (suffix, scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0)
            {
                return TimeSpan.FromSeconds(number * scale);
            }
        }

        throw new BenchmarkSetupException($"--{name} must be a duration such as 500ms, 10s or 2m, got '{text}'.");
    }

    /// <summary>The Postgres server the benchmarks use: the one scripts/bench.sh starts.</summary>
    public static string RequirePostgres() =>
        Environment.GetEnvironmentVariable(TestServices.PostgresVariable) is { Length: > 0 } connectionString
            ? connectionString
            : throw new BenchmarkSetupException(
                $"{TestServices.PostgresVariable} is not set. Run the benchmarks with `bash scripts/bench.sh <benchmark> [options]`: " +
                "it starts a throwaway Postgres (and RabbitMQ) on loopback and sets it.");
}
