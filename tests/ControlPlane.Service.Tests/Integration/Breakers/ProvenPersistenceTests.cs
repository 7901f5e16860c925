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
/// Issue #16: whether a target was ever proven survives a restart or a leader change (the next leader loads it), and
/// rows written before the flag existed load as proven (migrations/0033_breaker_proven.sql).
/// </summary>
public sealed class ProvenPersistenceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Commit_ThenLoad_KeepsProvenAndUnprovenApart()
    {
        await using var dataSource = await MigratedAsync();
        await using var holder = await dataSource.OpenConnectionAsync();
        var fence = await LeaderElection.TryLockAsync(holder, CancellationToken.None) ?? throw new InvalidOperationException("The leader lock is not free.");
        var commit = new EvaluationCommit(
            [
                (Definition("proven/never"), BreakerState.Initial(Now) with { Suspect = true }),
                (Definition("proven/once"), BreakerState.Initial(Now) with { State = CircuitState.Open, Proven = true }),
            ],
            [],
            null);

        await NewStore(dataSource).CommitAsync(commit, null, fence, CancellationToken.None);
        var loaded = await NewStore(dataSource).LoadStatesAsync(CancellationToken.None);

        Assert.False(loaded[new TargetId("proven/never")].Proven);
        Assert.True(loaded[new TargetId("proven/once")].Proven);
        Assert.Equal(CircuitState.Open, loaded[new TargetId("proven/once")].State);
    }

    [Fact]
    public async Task Load_RowWrittenBeforeTheFlagExisted_IsProven()
    {
        await using var dataSource = await MigratedAsync();
        // What the previous version writes: no proven column in the INSERT, no proven member in the JSON.
        await using (var insert = dataSource.CreateCommand(
            """
            INSERT INTO breaker_states (target_id, provider_id, state, detail, updated_at)
            VALUES ('proven/legacy', 'proven', 'closed', '{"state":"closed","since":"2026-11-01T00:00:00+00:00","tripCount":0}'::jsonb, now())
            """))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var loaded = await NewStore(dataSource).LoadStatesAsync(CancellationToken.None);

        Assert.True(loaded[new TargetId("proven/legacy")].Proven);
    }

    private async Task<NpgsqlDataSource> MigratedAsync()
    {
        var dataSource = database.CreateDataSource();
        await StorageTestKit.NewRunner(dataSource).MigrateAsync(CancellationToken.None);
        return dataSource;
    }

    private static EvaluationStore NewStore(NpgsqlDataSource dataSource) =>
        new(dataSource, new RoutingTableSigning(Options.Create(new PublishingOptions
        {
            SigningKeyId = "proven-test",
            SigningKeyPem = SigningKeys.Generate().PrivateKeyPem,
        })));

    private static TargetDefinition Definition(string target) => new(
        new TargetId(target), "proven", target, new ProbeSettings(
            ProbeMode.Models, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 1, "ping", false, new Dictionary<string, string>()));
}
