namespace ControlPlane.Benchmarks.Shared;

/// <summary>One command of the benchmark runner.</summary>
internal interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    string Usage { get; }

    Task<int> RunAsync(BenchmarkArguments arguments);
}

/// <summary>The benchmark cannot run here (no Postgres, bad option); the message says what to do.</summary>
internal sealed class BenchmarkSetupException(string message) : Exception(message);
