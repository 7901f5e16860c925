using Xunit;
using Npgsql;

namespace ControlPlane.Testing;

/// <summary>
/// A fresh, empty database for one test class (use as <c>IClassFixture&lt;PostgresDatabase&gt;</c>), dropped afterwards.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private string? _serverConnectionString;

    public string Name { get; } = $"cp_test_{Guid.NewGuid():N}";

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _serverConnectionString = await TestServices.PostgresAsync();
        await using (var server = new NpgsqlConnection(_serverConnectionString))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", server);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Database = Name }.ConnectionString;
    }

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    /// <summary>Connections that end their session when closed (as the leader election's do), so session locks go with them.</summary>
    public NpgsqlDataSource CreateUnpooledDataSource() =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);

    public async Task DisposeAsync()
    {
        if (_serverConnectionString is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var server = new NpgsqlConnection(_serverConnectionString);
        await server.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", server);
        await drop.ExecuteNonQueryAsync();
    }
}
