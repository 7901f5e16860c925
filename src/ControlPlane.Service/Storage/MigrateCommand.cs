using Npgsql;

namespace ControlPlane.Service.Storage;

/// <summary><c>migrate</c>: apply pending SQL migrations and exit. Safe to run from several replicas at once.</summary>
internal static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        var connectionString = StorageConnection.Resolve(builder.Configuration);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await Console.Error.WriteLineAsync("migrate: no database configured; set ConnectionStrings__ControlPlane or Storage__ConnectionString.");
            return 2;
        }

        using var host = builder.Build();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var runner = new MigrationRunner(dataSource, host.Services.GetRequiredService<ILogger<MigrationRunner>>());
        await runner.MigrateAsync(CancellationToken.None);
        return 0;
    }
}
