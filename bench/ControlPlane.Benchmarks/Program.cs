using ControlPlane.Benchmarks.Evaluation;
using ControlPlane.Benchmarks.Ingest;
using ControlPlane.Benchmarks.ProbeThroughput;
using ControlPlane.Benchmarks.Shared;

// A small dispatcher: `dotnet run -c Release --project bench/ControlPlane.Benchmarks -- <benchmark> [options]`.
// Each benchmark lives in its own folder and reports through ResultsWriter (Markdown table + bench/results/<name>.json).
IBenchmark[] benchmarks = [new ProbeThroughputBenchmark(), new IngestBenchmark()];

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: bash scripts/bench.sh <benchmark> [options]\n");
    foreach (var benchmark in benchmarks)
    {
        Console.WriteLine($"  {benchmark.Name,-18} {benchmark.Description}");
        Console.WriteLine($"  {"",-18} {benchmark.Usage}");
    }

    Console.WriteLine($"  {"evaluation",-18} Breaker evaluation + routing table for 10,000 targets / 1,000 routes, and simulated detection time");
    Console.WriteLine($"  {"",-18} [--targets 10000] [--routes 1000] [--iterations 200] [--warmup 20] [--phases 1000] [--seed 1]");
    return args.Length == 0 ? 2 : 0;
}

// In-process benchmark with its own option parsing (no services needed).
if (args[0] == "evaluation")
{
    return await EvaluationBenchmark.RunAsync(args[1..]);
}

var chosen = benchmarks.FirstOrDefault(b => b.Name == args[0]);
if (chosen is null)
{
    await Console.Error.WriteLineAsync($"Unknown benchmark '{args[0]}'. Known: {string.Join(", ", benchmarks.Select(b => b.Name))}.");
    return 2;
}

try
{
    return await chosen.RunAsync(BenchmarkArguments.Parse(args[1..]));
}
catch (BenchmarkSetupException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}
