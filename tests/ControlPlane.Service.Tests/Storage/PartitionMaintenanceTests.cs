using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Storage;

// Tests in this class share one database, so each works in a different year.
public sealed class PartitionMaintenanceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Run_CreatesTodayAndDaysAhead_AndIsIdempotent()
    {
        await using var kit = await StorageTestKit.CreateAsync(
            database, new DateTimeOffset(2041, 1, 10, 23, 59, 0, TimeSpan.Zero), o => o.PartitionDaysAhead = 3);
        var maintenance = kit.Partitions();

        var first = await maintenance.RunAsync(CancellationToken.None);
        var second = await maintenance.RunAsync(CancellationToken.None);

        DateOnly[] expected = [new(2041, 1, 10), new(2041, 1, 11), new(2041, 1, 12), new(2041, 1, 13)];
        Assert.Equal(expected, first.Created);
        Assert.Empty(second.Created);
        Assert.Equal(expected, (await maintenance.ListPartitionsAsync(CancellationToken.None)).Where(d => d.Year == 2041));
        Assert.Equal(1L, await kit.ScalarAsync(
            "SELECT count(*) FROM pg_class WHERE relname = 'probe_samples_p20410110'"));
    }

    [Fact]
    public async Task Run_ManyReplicasAtOnce_AllSucceed()
    {
        await using var kit = await StorageTestKit.CreateAsync(database, new DateTimeOffset(2042, 6, 1, 0, 0, 0, TimeSpan.Zero));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => kit.Partitions().RunAsync(CancellationToken.None)));

        // Each day was created by exactly one of them.
        var created = results.SelectMany(r => r.Created).ToList();
        Assert.Equal(kit.Options.PartitionDaysAhead + 1, created.Count);
        Assert.Equal(created.Count, created.Distinct().Count());
    }

    [Fact]
    public async Task DropExpired_DropsWholeDaysOlderThanRetention_KeepsTheRest()
    {
        var now = new DateTimeOffset(2040, 5, 20, 10, 0, 0, TimeSpan.Zero);
        await using var kit = await StorageTestKit.CreateAsync(database, now, o => o.RetentionDays = 14);
        var maintenance = kit.Partitions();
        var days = Enumerable.Range(1, 20).Select(d => new DateOnly(2040, 5, d)).ToList();
        await maintenance.EnsurePartitionsAsync(days, CancellationToken.None);
        await kit.Writer().WriteAsync(
            days.Select(d => StorageTestKit.Sample("retention/model", ProbeOutcome.Success,
                new DateTimeOffset(d.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero), 10)),
            CancellationToken.None);

        var dropped = await maintenance.DropExpiredAsync(CancellationToken.None);

        // Cutoff is 2040-05-06 10:00: May 5 ended before it, May 6 still holds samples within retention.
        Assert.Equal(days.Take(5), dropped);
        Assert.Equal(days.Skip(5), (await maintenance.ListPartitionsAsync(CancellationToken.None)).Where(d => d.Year == 2040));
        Assert.Equal(15L, await kit.ScalarAsync("SELECT count(*) FROM probe_samples WHERE target_id = 'retention/model'"));
        Assert.Empty(await maintenance.DropExpiredAsync(CancellationToken.None));
    }
}
