using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;
using ControlPlane.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Storage;

public sealed class StorageServiceCollectionExtensionsTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task AddStorage_HostStart_MigratesAndIngestsThroughTheSink()
    {
        var now = new DateTimeOffset(2030, 9, 9, 9, 0, 0, TimeSpan.Zero);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ControlPlane"] = database.ConnectionString,
        });
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(now));
        builder.AddStorage();

        using var host = builder.Build();
        await host.StartAsync();
        var sink = host.Services.GetRequiredService<IProbeSampleSink>();
        Assert.Same(host.Services.GetRequiredService<ProbeSampleIngest>(), sink);
        Assert.True(sink.TryWrite(StorageTestKit.Sample("host/model", ProbeOutcome.Success, now, 42)));
        await host.StopAsync();

        await using var dataSource = database.CreateDataSource();
        await using var migrations = dataSource.CreateCommand("SELECT count(*) FROM schema_migrations");
        Assert.True((long)(await migrations.ExecuteScalarAsync())! >= 3);
        await using var samples = dataSource.CreateCommand("SELECT count(*) FROM probe_samples WHERE target_id = 'host/model'");
        Assert.Equal(1L, await samples.ExecuteScalarAsync());
    }

    [Fact]
    public void Options_StorageConnectionString_WinsOverConnectionStrings()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ControlPlane"] = "Host=fallback",
            ["Storage:ConnectionString"] = "Host=explicit",
            ["Storage:RetentionDays"] = "30",
        });
        builder.AddStorage();
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;

        Assert.Equal("Host=explicit", options.ConnectionString);
        Assert.Equal(30, options.RetentionDays);
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.IngestMaxDelay);
    }

    [Fact]
    public void Options_Invalid_ReportsEveryFailure_WithoutTheSecret()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = "Host=db;Password=hunter2;Bogus Keyword=1",
            ["Storage:RetentionDays"] = "0",
            ["Storage:IngestMaxDelay"] = "00:00:00",
            ["Storage:RollupInterval"] = "00:10:00",
            ["Storage:IngestBatchSize"] = "500000",
        });
        builder.AddStorage();
        using var host = builder.Build();

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<StorageOptions>>().Value);

        Assert.True(error.Failures.Count() >= 5, string.Join(Environment.NewLine, error.Failures));
        Assert.Contains(error.Failures, f => f.Contains("RetentionDays", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("IngestMaxDelay", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("RollupLookback", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("IngestBatchSize", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("connection string", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, f => f.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void DataSource_IsOneSingleton()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:ControlPlane"] = "Host=db" });
        builder.AddStorage();
        using var host = builder.Build();

        Assert.Same(host.Services.GetRequiredService<NpgsqlDataSource>(), host.Services.GetRequiredService<NpgsqlDataSource>());
    }
}
