using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Storage;

public sealed class ProbeSampleIngestTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2030, 5, 10, 12, 0, 0, TimeSpan.Zero);
    private StorageTestKit _kit = null!;

    public async Task InitializeAsync()
    {
        _kit = await StorageTestKit.CreateAsync(database, Now, o => o.IngestBatchSize = 1000);
        await _kit.Partitions().RunAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    [Fact]
    public async Task Ingest_TenThousandSamples_LandExactly()
    {
        var ingest = _kit.Ingest();
        await ingest.StartAsync(CancellationToken.None);
        var expected = new Dictionary<ProbeOutcome, int>();
        for (var i = 0; i < 10_000; i++)
        {
            var outcome = ProbeOutcomes.All[(i * 7) % ProbeOutcomes.All.Count];
            expected[outcome] = expected.GetValueOrDefault(outcome) + 1;
            var sample = StorageTestKit.Sample(
                $"bulk/model-{i % 10}", outcome, Now.AddMilliseconds(-i * 10), 100 + (i % 50), ttftMs: i % 2 == 0 ? 40 : null,
                httpStatus: outcome == ProbeOutcome.Success ? 200 : 503, detail: outcome == ProbeOutcome.Success ? null : "boom");
            Assert.True(ingest.TryWrite(sample));
        }

        // Stopping drains everything that was accepted.
        await ingest.StopAsync(CancellationToken.None);

        await using var command = _kit.DataSource.CreateCommand(
            "SELECT outcome, count(*) FROM probe_samples WHERE provider_id = 'bulk' GROUP BY outcome");
        await using var reader = await command.ExecuteReaderAsync();
        var actual = new Dictionary<ProbeOutcome, int>();
        while (await reader.ReadAsync())
        {
            actual[(ProbeOutcome)reader.GetInt16(0)] = (int)reader.GetInt64(1);
        }

        Assert.Equal(expected.OrderBy(e => e.Key), actual.OrderBy(a => a.Key));
        Assert.Equal(5_000L, await _kit.ScalarAsync("SELECT count(*) FROM probe_samples WHERE provider_id = 'bulk' AND ttft_ms = 40"));
    }

    [Fact]
    public async Task Ingest_SampleForDayWithoutPartition_CreatesItAndWrites()
    {
        var yesterday = Now.AddDays(-1);
        Assert.DoesNotContain(DateOnly.FromDateTime(yesterday.UtcDateTime), await _kit.Partitions().ListPartitionsAsync(CancellationToken.None));
        var ingest = _kit.Ingest();
        await ingest.StartAsync(CancellationToken.None);

        Assert.True(ingest.TryWrite(StorageTestKit.Sample("late/model", ProbeOutcome.Timeout, yesterday, 30_000)));
        Assert.True(ingest.TryWrite(StorageTestKit.Sample("late/model", ProbeOutcome.Success, Now, 120)));
        // Years ahead: outside the window partitions are kept for, so it is dropped, not given a partition.
        Assert.True(ingest.TryWrite(StorageTestKit.Sample("late/model", ProbeOutcome.Success, Now.AddYears(3), 120)));
        await ingest.StopAsync(CancellationToken.None);

        Assert.Equal(2L, await _kit.ScalarAsync("SELECT count(*) FROM probe_samples WHERE provider_id = 'late'"));
        Assert.Equal(1L, await _kit.ScalarAsync(
            "SELECT count(*) FROM probe_samples WHERE provider_id = 'late' AND outcome = 6 AND observed_at = $1", yesterday));
        var partitions = await _kit.Partitions().ListPartitionsAsync(CancellationToken.None);
        Assert.Contains(DateOnly.FromDateTime(yesterday.UtcDateTime), partitions);
        Assert.DoesNotContain(DateOnly.FromDateTime(Now.AddYears(3).UtcDateTime), partitions);
    }

    [Fact]
    public async Task Ingest_PostgresUnavailable_KeepsSamplesAndWritesThemWhenItReturns()
    {
        // A database that does not exist yet stands in for a Postgres that is down: every write fails.
        var name = $"{database.Name}_later";
        var later = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = name }.ConnectionString;
        await using var laterSource = NpgsqlDataSource.Create(later);
        var ingest = _kit.Ingest(laterSource);
        await ingest.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 2_500; i++)
            {
                Assert.True(ingest.TryWrite(StorageTestKit.Sample("blip/model", ProbeOutcome.Success, Now.AddMilliseconds(-i), 50)));
            }

            await Eventually.UntilAsync(() => Task.FromResult(ingest.FailedAttempts > 0), TimeSpan.FromSeconds(60), "a write failed");

            await using (var create = _kit.DataSource.CreateCommand($"CREATE DATABASE \"{name}\""))
            {
                await create.ExecuteNonQueryAsync();
            }

            await StorageTestKit.NewRunner(laterSource).MigrateAsync(CancellationToken.None);
            await new PartitionMaintenance(
                laterSource, Microsoft.Extensions.Options.Options.Create(_kit.Options), _kit.Time,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<PartitionMaintenance>.Instance).RunAsync(CancellationToken.None);

            // Every sample must arrive through the retry loop: stopping first would let the shutdown drain write them
            // whether or not the loop recovered. The clock moves on each poll, so a backoff begun mid-poll elapses too.
            await Eventually.UntilAsync(
                async () =>
                {
                    _kit.Time.Advance(_kit.Options.IngestMaxRetryDelay);
                    await using var count = laterSource.CreateCommand("SELECT count(*) FROM probe_samples");
                    return await count.ExecuteScalarAsync() is 2_500L;
                },
                TimeSpan.FromSeconds(60),
                "the retry loop wrote every held sample once Postgres was back");
        }
        finally
        {
            await ingest.StopAsync(CancellationToken.None);
            NpgsqlConnection.ClearAllPools();
            await using var drop = _kit.DataSource.CreateCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task Ingest_RowPostgresRejects_DropsOnlyThatRow()
    {
        var ingest = _kit.Ingest();
        await ingest.StartAsync(CancellationToken.None);

        Assert.True(ingest.TryWrite(StorageTestKit.Sample("poison/model", ProbeOutcome.Success, Now, 10)));
        // A NaN-free but impossible row: provider_id is NOT NULL.
        Assert.True(ingest.TryWrite(StorageTestKit.Sample("poison/model", ProbeOutcome.Success, Now, 11) with { ProviderId = null! }));
        Assert.True(ingest.TryWrite(StorageTestKit.Sample("poison/model", ProbeOutcome.Success, Now, 12, detail: "nul\0inside")));
        await ingest.StopAsync(CancellationToken.None);

        Assert.Equal(2L, await _kit.ScalarAsync("SELECT count(*) FROM probe_samples WHERE target_id = 'poison/model'"));
        Assert.Equal(1L, await _kit.ScalarAsync("SELECT count(*) FROM probe_samples WHERE target_id = 'poison/model' AND detail = 'nulinside'"));
    }
}
