using System.Text.RegularExpressions;
using ControlPlane.Testing;

namespace ControlPlane.Service.Tests.Integration;

/// <summary><c>ControlPlane.Service migrate</c>, the way the Helm hook Job and replicas run it: as a process.</summary>
public sealed partial class MigrateCommandTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Migrate_RunTwiceAtOnce_BothSucceedAndEachVersionIsAppliedOnce()
    {
        var environment = new Dictionary<string, string?> { ["ConnectionStrings__ControlPlane"] = database.ConnectionString };

        var runs = await Task.WhenAll(
            ServiceProcess.RunToCompletionAsync("ControlPlane.Service", environment, ["migrate"], TimeSpan.FromSeconds(60)),
            ServiceProcess.RunToCompletionAsync("ControlPlane.Service", environment, ["migrate"], TimeSpan.FromSeconds(60)));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, $"migrate exited with {run.ExitCode}:\n{run.Output}"));

        var shipped = Directory.GetFiles(Path.Combine(ServiceProcess.RepositoryRoot(), "migrations"), "*.sql")
            .Select(f => int.Parse(Path.GetFileName(f)[..4], System.Globalization.CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        await using var dataSource = database.CreateDataSource();
        await using var command = dataSource.CreateCommand("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var applied = new List<(int Version, long Count)>();
        while (await reader.ReadAsync())
        {
            applied.Add((reader.GetInt32(0), reader.GetInt64(1)));
        }

        Assert.Equal(shipped, applied.Select(a => a.Version));
        Assert.All(applied, a => Assert.Equal(1, a.Count));

        // One process did the work, the other waited on the lock and found nothing left to do.
        var appliedCounts = runs.Select(r => int.Parse(AppliedPattern().Match(r.Output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal([0, shipped.Count], appliedCounts);
    }

    [Fact]
    public async Task Migrate_WithoutADatabase_FailsSayingWhatToSet()
    {
        var run = await ServiceProcess.RunToCompletionAsync(
            "ControlPlane.Service", new Dictionary<string, string?> { ["ConnectionStrings__ControlPlane"] = "" }, ["migrate"], TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("ConnectionStrings__ControlPlane", run.Output, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Migrations up to date: applied (\d+) of \d+ known")]
    private static partial Regex AppliedPattern();
}
