using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Storage;

public sealed class RollupCalculatorTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Minute = new(2030, 3, 4, 10, 15, 0, TimeSpan.Zero);
    private StorageTestKit _kit = null!;

    public async Task InitializeAsync()
    {
        _kit = await StorageTestKit.CreateAsync(database, Minute.AddMinutes(10));
        await _kit.Partitions().RunAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    [Fact]
    public async Task Rollups_MatchTheRawSamples_AndRecomputingChangesNothing()
    {
        var random = new Random(42);
        var samples = new List<ProbeSample>();
        foreach (var target in new[] { "roll/a", "roll/b" })
        {
            for (var i = 0; i < 600; i++)
            {
                var outcome = ProbeOutcomes.All[random.Next(ProbeOutcomes.All.Count)];
                var at = Minute.AddMilliseconds(random.Next(0, 3 * 60_000)); // three minutes
                var ttft = outcome == ProbeOutcome.Success && random.Next(2) == 0 ? random.Next(10, 500) + 0.25 : (double?)null;
                samples.Add(StorageTestKit.Sample(target, outcome, at, random.Next(5, 5000) + 0.5, ttft));
            }
        }

        await _kit.Writer().WriteAsync(samples, CancellationToken.None);
        var calculator = _kit.Rollups();

        // A range starting mid-minute still produces whole buckets.
        var changed = await calculator.ComputeAsync(Minute.AddSeconds(30), Minute.AddMinutes(3), CancellationToken.None);

        Assert.Equal(6, changed);
        var queries = _kit.Queries();
        foreach (var group in samples.GroupBy(s => (s.Target, Bucket: RollupCalculator.FloorToMinute(s.ObservedAt))))
        {
            var rollup = Assert.Single(await queries.GetRollupsAsync(group.Key.Target, group.Key.Bucket, group.Key.Bucket.AddMinutes(1)));
            var raw = group.ToList();
            Assert.Equal(group.Key.Bucket, rollup.BucketStart);
            Assert.Equal(raw.Count, rollup.Total);
            foreach (var outcome in ProbeOutcomes.All)
            {
                Assert.Equal(raw.Count(s => s.Outcome == outcome), rollup.Counts[outcome]);
            }

            Assert.Equal(raw.Count(s => s.Outcome.IsAvailable()), rollup.Available);
            var latencies = raw.Select(s => s.Latency.TotalMilliseconds).ToList();
            AssertClose(PercentileCont(latencies, 0.50), rollup.LatencyP50);
            AssertClose(PercentileCont(latencies, 0.95), rollup.LatencyP95);
            AssertClose(PercentileCont(latencies, 0.99), rollup.LatencyP99);
            var ttfts = raw.Where(s => s.TimeToFirstToken is not null).Select(s => s.TimeToFirstToken!.Value.TotalMilliseconds).ToList();
            AssertClose(PercentileCont(ttfts, 0.50), rollup.TimeToFirstTokenP50);
            AssertClose(PercentileCont(ttfts, 0.95), rollup.TimeToFirstTokenP95);
        }

        // Idempotent: the same range again changes no bucket.
        Assert.Equal(0, await calculator.ComputeAsync(Minute, Minute.AddMinutes(3), CancellationToken.None));
        Assert.Equal(6L, await _kit.ScalarAsync("SELECT count(*) FROM probe_rollups_1m WHERE target_id LIKE 'roll/%'"));
    }

    [Fact]
    public async Task Recompute_FoldsInLateSamples()
    {
        var target = new TargetId("late/x");
        var bucket = Minute.AddMinutes(5);
        await _kit.Writer().WriteAsync(
            [StorageTestKit.Sample(target.Value, ProbeOutcome.Success, bucket.AddSeconds(1), 100)], CancellationToken.None);
        var calculator = _kit.Rollups();
        await calculator.ComputeAsync(bucket, bucket.AddMinutes(1), CancellationToken.None);

        await _kit.Writer().WriteAsync(
            [StorageTestKit.Sample(target.Value, ProbeOutcome.Overloaded, bucket.AddSeconds(59), 300)], CancellationToken.None);
        Assert.Equal(1, await calculator.ComputeAsync(bucket, bucket.AddMinutes(1), CancellationToken.None));

        var rollup = Assert.Single(await _kit.Queries().GetRollupsAsync(target, bucket, bucket.AddMinutes(1)));
        Assert.Equal(2, rollup.Total);
        Assert.Equal(1, rollup.Counts[ProbeOutcome.Success]);
        Assert.Equal(1, rollup.Counts[ProbeOutcome.Overloaded]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), rollup.LatencyP50);
        Assert.Null(rollup.TimeToFirstTokenP50);
        Assert.True(await calculator.GetLatestBucketAsync(CancellationToken.None) >= bucket);
    }

    // percentile_cont: linear interpolation between the two nearest ranks.
    private static double? PercentileCont(List<double> values, double fraction)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToArray();
        var position = fraction * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }

    private static void AssertClose(double? expectedMs, TimeSpan? actual)
    {
        if (expectedMs is null)
        {
            Assert.Null(actual);
            return;
        }

        Assert.NotNull(actual);
        // The read path rounds to whole ticks (0.0001 ms).
        Assert.InRange(actual.Value.TotalMilliseconds, expectedMs.Value - 0.0002, expectedMs.Value + 0.0002);
    }
}
