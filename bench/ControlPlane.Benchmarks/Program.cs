using ControlPlane.Benchmarks.Evaluation;
using ControlPlane.Benchmarks.Ingest;
using ControlPlane.Benchmarks.ProbeEconomy;
using ControlPlane.Benchmarks.ProbeThroughput;
using ControlPlane.Benchmarks.Propagation;
using ControlPlane.Benchmarks.Shared;
using ControlPlane.Benchmarks.Summary;

// A small dispatcher: `dotnet run -c Release --project bench/ControlPlane.Benchmarks -- <benchmark> [options]`.
// Each benchmark lives in its own folder and reports through ResultsWriter (Markdown table + bench/results/<name>.json).
// `bash scripts/bench.sh all` runs them all and then `summary` (bench/results/latest.md, latest.json, README section).
IBenchmark[] benchmarks = [new ProbeThroughputBenchmark(), new IngestBenchmark(), new PropagationBenchmark(), new ProbeEconomyBenchmark()];

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: bash scripts/bench.sh <benchmark> [options]   (or: bash scripts/bench.sh all)\n");
    foreach (var benchmark in benchmarks)
    {
        Console.WriteLine($"  {benchmark.Name,-18} {benchmark.Description}");
        Console.WriteLine($"  {"",-18} {benchmark.Usage}");
    }

    Console.WriteLine($"  {"evaluation",-18} Breaker evaluation + routing table for 10,000 targets / 1,000 routes, and simulated detection time");
    Console.WriteLine($"  {"",-18} [--targets 10000] [--routes 1000] [--iterations 200] [--warmup 20] [--phases 1000] [--seed 1]");
    Console.WriteLine($"  {"gateway",-18} Gateway added latency vs direct at fixed rates, and scripted outages of the primary through it");
    Console.WriteLine($"  {"",-18} [--rates 200,1000] [--seconds 20] [--outage-rate 200] [--outage-seconds 15] [--overload-seconds 20] [--overload-capacity 20] [--parts latency,streaming,outage,overload]");
    Console.WriteLine($"  {"summary",-18} Folds the runs of `bench.sh all` into bench/results/latest.md + latest.json (and the README section)");
    Console.WriteLine($"  {"",-18} --run <directory> [--readme README.md] [--elapsed <seconds>] [--failed a,b] [--load-before \"<loadavg>\"]");
    return args.Length == 0 ? 2 : 0;
}

// Benchmarks with their own option parsing, and the summary.
switch (args[0])
{
    case "evaluation":
        return await EvaluationBenchmark.RunAsync(args[1..]);
    case "gateway":
        return await ControlPlane.Benchmarks.Gateway.GatewayBenchmark.RunAsync(args[1..]);
    case "summary":
        return ResultsSummary.Run(args[1..]);
}

var chosen = benchmarks.FirstOrDefault(b => b.Name == args[0]);
if (chosen is null)
{
    await Console.Error.WriteLineAsync(
        $"Unknown benchmark '{args[0]}'. Known: {string.Join(", ", benchmarks.Select(b => b.Name).Concat(["evaluation", "gateway"]))}.");
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
