using ControlPlane.Service.Storage;
using ControlPlane.Testing;
using Npgsql;

namespace ControlPlane.Service.Tests.Storage;

public sealed class MigrationRunnerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public void Migrations_ShipNextToTheBinary()
    {
        using var dataSource = database.CreateDataSource();

        var migrations = StorageTestKit.NewRunner(dataSource).LoadMigrations();

        Assert.Equal(
            ["probe_samples", "probe_rollups_1m", "quartz"],
            migrations.Take(3).Select(m => m.Name));
        Assert.Equal(migrations.Select(m => m.Version).Order(), migrations.Select(m => m.Version));
    }

    [Fact]
    public async Task Migrate_TwoRunnersAtOnce_ApplyEachFileOnce()
    {
        await using var first = database.CreateDataSource();
        await using var second = NpgsqlDataSource.Create(
            new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = "second-replica" }.ConnectionString);
        var known = StorageTestKit.NewRunner(first).LoadMigrations().Select(m => m.Version).ToList();

        var results = await Task.WhenAll(
            StorageTestKit.NewRunner(first).MigrateAsync(CancellationToken.None),
            StorageTestKit.NewRunner(second).MigrateAsync(CancellationToken.None));

        // Both succeeded; between them every migration was applied exactly once.
        Assert.Equal(known, results.SelectMany(r => r).Order());
        await using var count = first.CreateCommand("SELECT count(*), count(DISTINCT version) FROM schema_migrations");
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(known.Count, reader.GetInt64(0));
        Assert.Equal(known.Count, reader.GetInt64(1));

        // And a later start finds nothing to do.
        Assert.Empty(await StorageTestKit.NewRunner(first).MigrateAsync(CancellationToken.None));

        await using var tables = first.CreateCommand(
            "SELECT count(*) FROM pg_tables WHERE tablename IN ('probe_samples', 'probe_rollups_1m', 'qrtz_triggers', 'qrtz_locks')");
        Assert.Equal(4L, await tables.ExecuteScalarAsync());
    }
}

public sealed class MigrationChecksumTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cp-migrations-").FullName;

    [Fact]
    public async Task Migrate_AppliedFileChanged_RefusesToRun()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "migrations"), "*.sql"))
        {
            File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)));
        }

        await using var dataSource = database.CreateDataSource();
        await StorageTestKit.NewRunner(dataSource, _directory).MigrateAsync(CancellationToken.None);

        var edited = Path.Combine(_directory, "0002_probe_rollups_1m.sql");
        await File.AppendAllTextAsync(edited, "\nALTER TABLE probe_rollups_1m ADD COLUMN sneaky integer;\n");
        await File.WriteAllTextAsync(Path.Combine(_directory, "9999_later.sql"), "CREATE TABLE later (id integer);");

        var error = await Assert.ThrowsAsync<MigrationChecksumException>(
            () => StorageTestKit.NewRunner(dataSource, _directory).MigrateAsync(CancellationToken.None));

        Assert.Equal(2, error.Version);
        Assert.Contains("0002_probe_rollups_1m.sql", error.Message, StringComparison.Ordinal);
        // Nothing after the refusal ran either.
        await using var later = dataSource.CreateCommand("SELECT to_regclass('later') IS NULL");
        Assert.Equal(true, await later.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_LineEndingsChanged_IsNotAChange()
    {
        var directory = Directory.CreateTempSubdirectory("cp-migrations-crlf-").FullName;
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
            var lf = StorageTestKit.NewRunner(dataSource).LoadMigrations();
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "migrations"), "*.sql"))
            {
                var text = (await File.ReadAllTextAsync(file)).ReplaceLineEndings("\r\n");
                await File.WriteAllTextAsync(Path.Combine(directory, Path.GetFileName(file)), text);
            }

            var crlf = StorageTestKit.NewRunner(dataSource, directory).LoadMigrations();

            Assert.Equal(lf.Select(m => m.Checksum), crlf.Select(m => m.Checksum));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
