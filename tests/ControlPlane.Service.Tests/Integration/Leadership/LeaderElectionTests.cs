using ControlPlane.Service.Leadership;
using ControlPlane.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ControlPlane.Service.Tests.Integration.Leadership;

/// <summary>
/// The election against a real Postgres, losing the lock's session the way an outage or a network cut does (the backend
/// is terminated under it): within the grace period the leader keeps its term and comes back with a new fence; when
/// another session took the lock meanwhile, it steps down; with no grace period it steps down at once.
/// </summary>
public sealed class LeaderElectionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LostSession_WithinTheGracePeriod_KeepsTheTerm_AndResumesWithANewFence()
    {
        await using var sessions = database.CreateUnpooledDataSource();
        var election = NewElection(sessions, grace: TimeSpan.FromMinutes(5));
        await election.StartAsync(CancellationToken.None);
        try
        {
            var term = await election.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(Wait);
            var first = election.Fence!;

            await TerminateAsync(first.Pid);

            await Eventually.UntilAsync(
                () => Task.FromResult(election.Fence is { } fence && fence != first), Wait, "the leader re-takes the lock on a new session");
            Assert.True(election.IsLeader);
            Assert.False(term.IsCancellationRequested, "the term went on through the lost session (evaluation was not restarted)");
        }
        finally
        {
            await election.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task LostSession_WhileAnotherSessionTakesTheLock_StepsDown()
    {
        await using var sessions = database.CreateUnpooledDataSource();
        var election = NewElection(sessions, grace: TimeSpan.FromMinutes(5));
        await election.StartAsync(CancellationToken.None);
        try
        {
            var term = await election.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(Wait);

            await TerminateAsync(election.Fence!.Pid);
            // Another replica grabs the lock before this one retries (it waits an attempt interval first).
            await using var rival = await sessions.OpenConnectionAsync();
            await Eventually.UntilAsync(
                async () => await LeaderElection.TryLockAsync(rival, CancellationToken.None) is not null, Wait, "the rival takes the freed lock");

            await Eventually.UntilAsync(() => Task.FromResult(term.IsCancellationRequested), Wait, "the old leader's term is cancelled");
            Assert.False(election.IsLeader);
            Assert.Null(election.Fence);
        }
        finally
        {
            await election.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task LostSession_WithNoGracePeriod_StepsDownAtOnce_ThenIsElectedAgainInANewTerm()
    {
        await using var sessions = database.CreateUnpooledDataSource();
        var election = NewElection(sessions, grace: TimeSpan.Zero);
        await election.StartAsync(CancellationToken.None);
        try
        {
            var term = await election.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(Wait);

            await TerminateAsync(election.Fence!.Pid);

            await Eventually.UntilAsync(() => Task.FromResult(term.IsCancellationRequested), Wait, "the term ends at the first failed proof");
            var next = await election.WaitForLeadershipAsync(CancellationToken.None).WaitAsync(Wait);
            Assert.False(next.IsCancellationRequested);
            Assert.True(election.IsLeader);
        }
        finally
        {
            await election.StopAsync(CancellationToken.None);
        }
    }

    private static LeaderElection NewElection(NpgsqlDataSource sessions, TimeSpan grace) =>
        new(sessions,
            Options.Create(new LeadershipOptions { AttemptInterval = TimeSpan.FromSeconds(1), OutageGracePeriod = grace }),
            TimeProvider.System,
            NullLogger<LeaderElection>.Instance);

    private async Task TerminateAsync(int pid)
    {
        await using var admin = database.CreateDataSource();
        await using var command = admin.CreateCommand("SELECT pg_terminate_backend($1)");
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = pid });
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
    }
}
