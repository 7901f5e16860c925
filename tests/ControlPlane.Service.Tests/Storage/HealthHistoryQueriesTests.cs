using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Storage;

public sealed class HealthHistoryQueriesTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2030, 7, 1, 8, 30, 0, TimeSpan.Zero);
    private StorageTestKit _kit = null!;

    public async Task InitializeAsync()
    {
        _kit = await StorageTestKit.CreateAsync(database, Now);
        await _kit.Partitions().EnsurePartitionsAsync([new(2030, 6, 30), new(2030, 7, 1)], CancellationToken.None);
    }

    public async Task DisposeAsync() => await _kit.DisposeAsync();

    [Fact]
    public async Task GetSamples_ReturnsWhatWasWritten_InOrder_NewestWithinLimit()
    {
        var target = new TargetId("anthropic/claude-x");
        // Written out of order, across midnight (two partitions), with every optional field exercised.
        ProbeSample[] written =
        [
            new(target, "anthropic", "claude-x", ProbeOutcome.Success, Now.AddSeconds(-5), TimeSpan.FromMilliseconds(812.345),
                TimeSpan.FromMilliseconds(201.5), 200, null, null, ProbeMode.Inference),
            new(target, "anthropic", "claude-x", ProbeOutcome.Overloaded, Now.AddHours(-9), TimeSpan.FromMilliseconds(90),
                null, 529, null, "overloaded_error", ProbeMode.Inference),
            new(target, "anthropic", "claude-x", ProbeOutcome.RateLimited, Now.AddMinutes(-1), TimeSpan.FromMilliseconds(40),
                null, 429, TimeSpan.FromSeconds(30), "rate_limit_error", ProbeMode.Models),
        ];
        await _kit.Writer().WriteAsync(
            [.. written, StorageTestKit.Sample("other/model", ProbeOutcome.Success, Now.AddSeconds(-1), 1)], CancellationToken.None);
        var queries = _kit.Queries();

        var all = await queries.GetSamplesAsync(target, Now.AddDays(-1), Now, limit: 100);
        var newestTwo = await queries.GetSamplesAsync(target, Now.AddDays(-1), Now, limit: 2);
        var window = await queries.GetSamplesAsync(target, Now.AddHours(-1), Now.AddSeconds(-5), limit: 100);

        Assert.Equal(written.OrderBy(s => s.ObservedAt), all);
        Assert.Equal(written.OrderBy(s => s.ObservedAt).Skip(1), newestTwo);
        Assert.Equal([written[2]], window); // from inclusive, to exclusive
    }

    [Fact]
    public async Task GetRecentSamples_ReturnsEveryTargetSince_InObservationOrder()
    {
        var since = Now.AddMinutes(-30);
        var samples = Enumerable.Range(0, 20)
            .Select(i => StorageTestKit.Sample($"recent/m{i % 3}", ProbeOutcome.Success, since.AddMinutes(i - 5), 10 + i))
            .Reverse()
            .ToList();
        await _kit.Writer().WriteAsync(samples, CancellationToken.None);

        var recent = (await _kit.Queries().GetRecentSamplesAsync(since)).Where(s => s.ProviderId == "recent").ToList();

        Assert.Equal(samples.Where(s => s.ObservedAt >= since).OrderBy(s => s.ObservedAt), recent);
    }
}
