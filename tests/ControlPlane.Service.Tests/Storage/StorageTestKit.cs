using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;
using ControlPlane.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Storage;

/// <summary>Builds the storage components by hand over a test database, with a fake clock.</summary>
internal sealed class StorageTestKit : IAsyncDisposable
{
    private StorageTestKit(NpgsqlDataSource dataSource, FakeTimeProvider time, StorageOptions options)
    {
        DataSource = dataSource;
        Time = time;
        Options = options;
    }

    public NpgsqlDataSource DataSource { get; }

    public FakeTimeProvider Time { get; }

    public StorageOptions Options { get; }

    public static async Task<StorageTestKit> CreateAsync(
        PostgresDatabase database, DateTimeOffset now, Action<StorageOptions>? configure = null)
    {
        var dataSource = database.CreateDataSource();
        await NewRunner(dataSource).MigrateAsync(CancellationToken.None);
        var options = new StorageOptions { ConnectionString = database.ConnectionString };
        configure?.Invoke(options);
        return new StorageTestKit(dataSource, new FakeTimeProvider(now), options);
    }

    public static MigrationRunner NewRunner(NpgsqlDataSource dataSource, string? directory = null) =>
        directory is null
            ? new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance)
            : new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance, directory);

    public PartitionMaintenance Partitions() =>
        new(DataSource, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<PartitionMaintenance>.Instance);

    public ProbeSampleCopyWriter Writer() => new(DataSource, new ControlPlane.Service.Hosting.ReplicaIdentity());

    public ProbeSampleIngest Ingest(NpgsqlDataSource? dataSource = null) => new(
        new ProbeSampleCopyWriter(dataSource ?? DataSource, new ControlPlane.Service.Hosting.ReplicaIdentity()),
        Partitions(),
        Microsoft.Extensions.Options.Options.Create(Options),
        Time,
        NullLogger<ProbeSampleIngest>.Instance);

    public RollupCalculator Rollups() => new(DataSource, Time);

    public HealthHistoryQueries Queries()
    {
        var options = new DbContextOptionsBuilder<ControlPlaneDbContext>().UseNpgsql(DataSource).Options;
        return new HealthHistoryQueries(new PooledDbContextFactory<ControlPlaneDbContext>(options));
    }

    public async Task<long> ScalarAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static ProbeSample Sample(
        string target,
        ProbeOutcome outcome,
        DateTimeOffset observedAt,
        double latencyMs,
        double? ttftMs = null,
        int? httpStatus = null,
        string? detail = null) =>
        new(
            new TargetId(target),
            target.Split('/')[0],
            target.Split('/')[^1],
            outcome,
            observedAt,
            TimeSpan.FromTicks((long)(latencyMs * TimeSpan.TicksPerMillisecond)),
            ttftMs is { } ttft ? TimeSpan.FromTicks((long)(ttft * TimeSpan.TicksPerMillisecond)) : null,
            httpStatus,
            null,
            detail);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
