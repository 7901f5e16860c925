using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;
using ControlPlane.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Tests.Storage;

public sealed class ProbeSpendQueriesTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2030, 9, 20, 12, 0, 30, TimeSpan.Zero);
    private StorageTestKit _kit = null!;

    public async Task InitializeAsync()
    {
        _kit = await StorageTestKit.CreateAsync(database, Now);
        var days = Enumerable.Range(0, 41).Select(d => DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-d)).ToList();
        await _kit.Partitions().EnsurePartitionsAsync(days, CancellationToken.None);
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    private static ProbeSample Spent(string target, DateTimeOffset at, ProbeUsage? usage) =>
        StorageTestKit.Sample(target, usage is null ? ProbeOutcome.ServerError : ProbeOutcome.Success, at, 100) with { Usage = usage };

    private ProbeSpendQueries Queries() =>
        new(_kit.DataSource, Options.Create(_kit.Options), NullLogger<ProbeSpendQueries>.Instance);

    [Fact]
    public async Task Write_SampleWithUsage_StoresTheThreeCounts_AndWithoutUsage_Nulls()
    {
        var target = new TargetId("spend/roundtrip");
        await _kit.Writer().WriteAsync(
            [Spent(target.Value, Now.AddSeconds(-20), new ProbeUsage(12, 1, 64)), Spent(target.Value, Now.AddSeconds(-10), null)],
            CancellationToken.None);

        var samples = await _kit.Queries().GetSamplesAsync(target, Now.AddMinutes(-1), Now, 10);

        Assert.Equal([new ProbeUsage(12, 1, 64), null], samples.Select(s => s.Usage));
    }

    [Fact]
    public async Task Get_SumsEachWindow_FromSettledRollupsAndRecentRawSamples_WithoutCountingAnythingTwice()
    {
        const string target = "spend/windows";
        ProbeSample[] samples =
        [
            Spent(target, Now.AddDays(-40), new ProbeUsage(1000, 1000, 1000)), // older than 30 days: not counted
            Spent(target, Now.AddDays(-29), new ProbeUsage(100, 10, 1)),
            Spent(target, Now.AddDays(-2), new ProbeUsage(200, 20, 2)),
            Spent(target, Now.AddHours(-23), new ProbeUsage(30, 3, 0)),
            Spent(target, Now.AddHours(-3), new ProbeUsage(40, 4, 0)),
            Spent(target, Now.AddHours(-3).AddSeconds(5), null),           // a failure: nothing spent
            Spent(target, Now.AddMinutes(-2), new ProbeUsage(5, 1, 7)),     // recent: the rollup may still change it
            Spent(target, Now.AddSeconds(-1), new ProbeUsage(6, 1, 0)),
            Spent("spend/other", Now.AddMinutes(-1), new ProbeUsage(9, 9, 9)),
        ];
        await _kit.Writer().WriteAsync(samples, CancellationToken.None);

        // Every minute rolled up, the recent ones too: a naive sum of rollups and raw samples would count them twice.
        await _kit.Rollups().ComputeAsync(Now.AddDays(-41), Now.AddMinutes(1), CancellationToken.None);

        var spend = await Queries().GetAsync(Now);

        var windows = spend[new TargetId(target)];
        Assert.Equal(new TokenTotals(30 + 40 + 5 + 6, 3 + 4 + 1 + 1, 7), windows.Last24Hours);
        Assert.Equal(new TokenTotals(100 + 200 + 30 + 40 + 5 + 6, 10 + 20 + 3 + 4 + 1 + 1, 1 + 2 + 7), windows.Last30Days);
        Assert.Equal(new TokenTotals(9, 9, 9), spend[new TargetId("spend/other")].Last24Hours);
    }

    [Fact]
    public async Task Get_RecentSamplesNotYetRolledUp_AreCounted()
    {
        const string target = "spend/fresh";
        await _kit.Writer().WriteAsync([Spent(target, Now.AddSeconds(-3), new ProbeUsage(8, 2, 0))], CancellationToken.None);

        var spend = await Queries().GetAsync(Now);

        Assert.Equal(new TokenTotals(8, 2, 0), spend[new TargetId(target)].Last24Hours);
    }

    [Fact]
    public async Task TryGet_WithinTheCacheTime_AnswersFromTheLastRead_ThenReadsAgain()
    {
        var target = new TargetId("spend/cached");
        var queries = Queries();
        await _kit.Writer().WriteAsync([Spent(target.Value, Now.AddSeconds(-10), new ProbeUsage(1, 1, 0))], CancellationToken.None);
        var first = await queries.TryGetAsync(Now);

        await _kit.Writer().WriteAsync([Spent(target.Value, Now.AddSeconds(-5), new ProbeUsage(2, 2, 0))], CancellationToken.None);
        var cached = await queries.TryGetAsync(Now + ProbeSpendQueries.CacheFor - TimeSpan.FromSeconds(1));
        var fresh = await queries.TryGetAsync(Now + ProbeSpendQueries.CacheFor);

        Assert.Equal(new TokenTotals(1, 1, 0), first![target].Last24Hours);
        Assert.Equal(new TokenTotals(1, 1, 0), cached![target].Last24Hours);
        Assert.Equal(new TokenTotals(3, 3, 0), fresh![target].Last24Hours);
    }

    [Fact]
    public async Task TryGet_PostgresUnreachable_IsNull()
    {
        await using var unreachable = Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Timeout=2;Username=x;Database=x");
        var queries = new ProbeSpendQueries(unreachable, Options.Create(_kit.Options), NullLogger<ProbeSpendQueries>.Instance);

        Assert.Null(await queries.TryGetAsync(Now));
    }
}
