using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace ControlPlane.Service.Storage;

/// <summary>One SQL file from migrations/: <c>NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Checksum, string Sql);

/// <summary>An applied migration's file no longer matches what was applied: the schema history was rewritten.</summary>
public sealed class MigrationChecksumException(int version, string name)
    : InvalidOperationException(
        $"Migration {version:D4}_{name}.sql was changed after it was applied (checksum mismatch). " +
        "Applied migrations are immutable: restore the original file and put the change in a new migration.")
{
    public int Version { get; } = version;
}

/// <summary>
/// Applies the plain SQL files in migrations/ in order, each in its own transaction, recording them in
/// <c>schema_migrations</c>. Replicas and the Helm hook Job may run it at the same moment: a session-level
/// advisory lock serialises them, and whoever waited re-reads what is applied and finds nothing left to do.
/// </summary>
public sealed partial class MigrationRunner
{
    // Arbitrary but fixed: every process that migrates this database must agree on it.
    internal const long AdvisoryLockKey = 0x43_50_4D_49_47_52_41_54; // "CPMIGRAT"

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<MigrationRunner> _logger;
    private readonly string _directory;

    public MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger)
        : this(dataSource, logger, Path.Combine(AppContext.BaseDirectory, "migrations"))
    {
    }

    internal MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner> logger, string directory)
    {
        _dataSource = dataSource;
        _logger = logger;
        _directory = directory;
    }

    /// <summary>The migrations shipped with this build, in version order.</summary>
    public IReadOnlyList<Migration> LoadMigrations()
    {
        if (!Directory.Exists(_directory))
        {
            throw new InvalidOperationException($"The migrations folder {_directory} does not exist.");
        }

        var migrations = new List<Migration>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*.sql"))
        {
            var fileName = Path.GetFileName(path);
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration file {fileName} is not named NNNN_name.sql.");
            }

            // Line endings are normalised so a checkout with CRLF does not look like a rewritten migration.
            var sql = File.ReadAllText(path).ReplaceLineEndings("\n");
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql))),
                sql));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migration files share version {migrations[i].Version:D4}.");
            }
        }

        return migrations;
    }

    /// <summary>Applies every pending migration; returns the versions this call applied.</summary>
    /// <exception cref="MigrationChecksumException">An applied migration's file has changed.</exception>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = LoadMigrations();
        var appliedNow = new List<int>();

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        Log.MigrationLockWaiting(_logger);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);

            // Read under the lock: another process may have applied everything while we waited.
            var applied = await ReadAppliedAsync(connection, cancellationToken);
            foreach (var migration in migrations)
            {
                if (applied.TryGetValue(migration.Version, out var checksum) && checksum != migration.Checksum)
                {
                    throw new MigrationChecksumException(migration.Version, migration.Name);
                }
            }

            foreach (var migration in migrations.Where(m => !applied.ContainsKey(m.Version)))
            {
                Log.MigrationApplying(_logger, migration.Version, migration.Name);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
                {
                    record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = migration.Version });
                    record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Name });
                    record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = migration.Checksum });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                appliedNow.Add(migration.Version);
            }

            var unknown = applied.Keys.Except(migrations.Select(m => m.Version)).Order().ToList();
            if (unknown.Count > 0)
            {
                // A newer build migrated this database (rolling upgrade): tolerable, but worth knowing.
                Log.MigrationUnknownVersions(_logger, string.Join(", ", unknown));
            }

            Log.MigrationsDone(_logger, appliedNow.Count, migrations.Count);
            return appliedNow;
        }
        finally
        {
            // If the connection broke, the server released the lock with the session anyway.
            if (connection.FullState == System.Data.ConnectionState.Open)
            {
                await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
            }
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new Dictionary<int, string>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();
}
