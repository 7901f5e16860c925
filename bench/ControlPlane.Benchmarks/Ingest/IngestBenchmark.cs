using System.Diagnostics;
using System.Globalization;
using ControlPlane.Benchmarks.Shared;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;
using ControlPlane.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Benchmarks.Ingest;

/// <summary>
/// Raw sample ingest: writes N samples through <see cref="ProbeSampleCopyWriter"/> (one binary COPY per batch, as the
/// service's ingest loop does) into a fresh, migrated database. DESIGN.md: ≥ 50,000 samples/s.
/// </summary>
internal sealed class IngestBenchmark : IBenchmark
{
    private const double Target = 50_000;

    public string Name => "ingest";

    public string Description => "binary COPY of probe samples into probe_samples: samples/s per batch size";

    public string Usage => "[--samples 500000] [--batches 1000,5000] [--writers 1]";

    public async Task<int> RunAsync(BenchmarkArguments arguments)
    {
        BenchmarkArguments.RequirePostgres();
        var count = arguments.Int("samples", 500_000);
        var batchSizes = arguments.Ints("batches", [1000, 5000]);
        var writers = arguments.Int("writers", 1);

        var database = new PostgresDatabase();
        await database.InitializeAsync();
        try
        {
            await using var dataSource = database.CreateDataSource();
            await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var partitions = new PartitionMaintenance(
                dataSource, Options.Create(new StorageOptions()), TimeProvider.System, NullLogger<PartitionMaintenance>.Instance);
            await partitions.EnsurePartitionsAsync([today], CancellationToken.None);

            var samples = Generate(count, new DateTimeOffset(today.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero));
            var writer = new ProbeSampleCopyWriter(dataSource, new ControlPlane.Service.Hosting.ReplicaIdentity());
            await writer.WriteAsync(samples.Take(1000), CancellationToken.None); // warm-up: connection, JIT

            var figures = new List<BenchmarkFigure>();
            foreach (var batchSize in batchSizes)
            {
                await using (var truncate = dataSource.CreateCommand("TRUNCATE probe_samples"))
                {
                    await truncate.ExecuteNonQueryAsync();
                }

                var batches = samples.Chunk(batchSize).ToList();
                var next = -1;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
                {
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < batches.Count)
                    {
                        await writer.WriteAsync(batches[index], CancellationToken.None);
                    }
                }));
                var rate = count / clock.Elapsed.TotalSeconds;

                await using var verify = dataSource.CreateCommand("SELECT count(*) FROM probe_samples");
                var stored = (long)(await verify.ExecuteScalarAsync())!;
                if (stored != count)
                {
                    throw new InvalidOperationException($"Wrote {count} samples but probe_samples holds {stored}.");
                }

                // The service writes batches of Storage:IngestBatchSize (1,000 by default): that one answers DESIGN.md.
                figures.Add(new($"batches of {batchSize:N0}", rate, "samples/s", "≥ 50,000 samples/s", rate >= Target, Headline: batchSize == new StorageOptions().IngestBatchSize));
            }

            ResultsWriter.Report(
                "ingest",
                new Dictionary<string, string>
                {
                    ["samples"] = count.ToString(CultureInfo.InvariantCulture),
                    ["batches"] = string.Join(",", batchSizes),
                    ["writers"] = writers.ToString(CultureInfo.InvariantCulture),
                },
                figures,
                [
                    "Rows are realistic: 10,000 targets, mixed outcomes, a detail on failures, TTFT on streamed successes.",
                    "Each batch is one binary COPY on its own pooled connection, as ProbeSampleIngest writes them; the table has its (target_id, observed_at) index.",
                ]);
            return 0;
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static List<ProbeSample> Generate(int count, DateTimeOffset start)
    {
        var random = new Random(42);
        var outcomes = ProbeOutcomes.All;
        var samples = new List<ProbeSample>(count);
        for (var i = 0; i < count; i++)
        {
            var target = i % 10_000;
            var provider = $"provider-{target / 1000}";
            var model = $"model-{target % 1000}";
            // Mostly healthy, like a real fleet: one sample in ten is some failure.
            var outcome = random.Next(10) == 0 ? outcomes[random.Next(1, outcomes.Count)] : ProbeOutcome.Success;
            var latency = TimeSpan.FromMilliseconds(50 + random.Next(1500));
            samples.Add(new ProbeSample(
                TargetId.For(provider, model),
                provider,
                model,
                outcome,
                start + TimeSpan.FromMilliseconds(i),
                latency,
                outcome == ProbeOutcome.Success ? latency / 3 : null,
                outcome is ProbeOutcome.Timeout or ProbeOutcome.ConnectFailure ? null : 200,
                outcome == ProbeOutcome.RateLimited ? TimeSpan.FromSeconds(5) : null,
                outcome == ProbeOutcome.Success ? null : $"http 503: {outcome.ToWireName()}"));
        }

        return samples;
    }
}
