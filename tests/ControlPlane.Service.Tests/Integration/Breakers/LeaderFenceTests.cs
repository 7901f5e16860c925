using ControlPlane.Contracts;
using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Breakers;
using ControlPlane.Service.Leadership;
using ControlPlane.Service.Publishing;
using ControlPlane.Service.Tests.Storage;
using ControlPlane.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>
/// Commits are fenced on the leader lock's session, checked inside the commit's transaction, so a replica that lost
/// the lock (or leads from memory through a Postgres outage) writes nothing, even if it still believes it leads.
/// </summary>
public sealed class LeaderFenceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Commit_WithTheSessionHoldingTheLock_IsWritten()
    {
        await using var dataSource = await MigratedAsync();
        await using var holder = await dataSource.OpenConnectionAsync();
        var fence = await TakeLockAsync(holder);

        await NewStore(dataSource).CommitAsync(StateChange("fence/held"), null, fence, CancellationToken.None);

        Assert.Equal(1, await CountStatesAsync(dataSource, "fence/held"));
    }

    [Fact]
    public async Task Commit_AfterTheLockPassedToAnotherSession_IsRefused_AndWritesNothing()
    {
        await using var dataSource = await MigratedAsync();
        await using var sessions = database.CreateUnpooledDataSource(); // closing a connection ends its session, as the election's does
        LeaderFence stale;
        await using (var oldLeader = await sessions.OpenConnectionAsync())
        {
            stale = await TakeLockAsync(oldLeader);
        }

        // The old leader's session is gone; a new leader holds the lock now.
        await using var newLeader = await sessions.OpenConnectionAsync();
        var current = await TakeLockAsync(newLeader);
        Assert.NotEqual(stale, current);

        var refused = await Assert.ThrowsAsync<LeadershipUnprovenException>(
            () => NewStore(dataSource).CommitAsync(StateChange("fence/stale"), null, stale, CancellationToken.None));

        Assert.Contains("no longer held", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CountStatesAsync(dataSource, "fence/stale"));
    }

    [Fact]
    public async Task Commit_WithoutAFence_IsRefusedBeforeTouchingPostgres()
    {
        await using var dataSource = await MigratedAsync();

        await Assert.ThrowsAsync<LeadershipUnprovenException>(
            () => NewStore(dataSource).CommitAsync(StateChange("fence/none"), null, fence: null, CancellationToken.None));

        Assert.Equal(0, await CountStatesAsync(dataSource, "fence/none"));
    }

    private async Task<NpgsqlDataSource> MigratedAsync()
    {
        var dataSource = database.CreateDataSource();
        await StorageTestKit.NewRunner(dataSource).MigrateAsync(CancellationToken.None);
        return dataSource;
    }

    /// <summary>Takes the leader lock on <paramref name="connection"/> the way the election does and returns its fence.</summary>
    private static async Task<LeaderFence> TakeLockAsync(NpgsqlConnection connection) =>
        await LeaderElection.TryLockAsync(connection, CancellationToken.None) ?? throw new InvalidOperationException("The leader lock is not free.");

    private static EvaluationStore NewStore(NpgsqlDataSource dataSource) =>
        new(dataSource, new RoutingTableSigning(Options.Create(new PublishingOptions
        {
            SigningKeyId = "fence-test",
            SigningKeyPem = SigningKeys.Generate().PrivateKeyPem,
        })));

    private static EvaluationCommit StateChange(string target)
    {
        var definition = new TargetDefinition(
            new TargetId(target), "fence", target, new ProbeSettings(
                ProbeMode.Models, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 1, "ping", false, new Dictionary<string, string>()));
        return new EvaluationCommit([(definition, BreakerState.Initial(Now))], [], null);
    }

    private static async Task<long> CountStatesAsync(NpgsqlDataSource dataSource, string target)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM breaker_states WHERE target_id = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = target });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
