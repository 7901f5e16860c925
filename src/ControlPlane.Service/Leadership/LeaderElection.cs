using Microsoft.Extensions.Options;
using Npgsql;
using Prometheus;

namespace ControlPlane.Service.Leadership;

/// <summary>
/// Proof that a write comes from the leader: the Postgres session holding the leader lock. A commit checks, inside its
/// own transaction, that this very session still holds it (see <see cref="LeaderFence.CheckSql"/>).
/// </summary>
/// <param name="Pid">The backend process id of the session holding the lock.</param>
/// <param name="BackendStart">When that backend started: a pid may be reused, a (pid, start) pair is not.</param>
public sealed record LeaderFence(int Pid, DateTimeOffset BackendStart)
{
    /// <summary>True only while the fenced session exists and holds the leader lock. Parameters: $1 pid, $2 start, $3 key.</summary>
    public const string CheckSql =
        """
        SELECT EXISTS (
            SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND ((l.classid::bigint << 32) | l.objid::bigint) = $3
              AND l.pid = $1 AND a.backend_start = $2)
        """;
}

/// <summary>Thrown when a write is attempted without a proven leadership (the lock's session is gone or not ours).</summary>
public sealed class LeadershipUnprovenException(string message) : Exception(message);

/// <summary>Whether this replica currently leads: evaluates breakers, publishes tables, sends alerts.</summary>
public interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>The session that proves leadership now; null when not leading or while leading from memory through an outage.</summary>
    LeaderFence? Fence { get; }

    /// <summary>Completes when this replica becomes leader; the token it returns is cancelled when leadership is lost.</summary>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Leadership through a session-level Postgres advisory lock held on a dedicated connection. When the leader dies its
/// connection closes and Postgres releases the lock, so a survivor takes over within one attempt interval. The leader
/// proves its connection every interval. When the proof fails it does not give up at once: for
/// <see cref="LeadershipOptions.OutageGracePeriod"/> it keeps leading from memory (a Postgres outage must not stop
/// evaluation) while trying to re-take the lock, with <see cref="Fence"/> cleared so nothing it writes can commit; it
/// resumes with a new fence when it gets the lock back, and steps down the moment Postgres answers with the lock held
/// by someone else. Two leaders can both believe they lead only while one of them cannot reach Postgres, where it
/// could not write anyway.
/// </summary>
internal sealed partial class LeaderElection(
    [FromKeyedServices(LeaderElection.DataSourceKey)] NpgsqlDataSource dataSource,
    IOptions<LeadershipOptions> options,
    TimeProvider time,
    ILogger<LeaderElection> logger) : BackgroundService, ILeadership
{
    /// <summary>The unpooled data source the lock's session comes from.</summary>
    public const string DataSourceKey = "leadership";

    /// <summary>Arbitrary fixed key: "cpleader" in ASCII.</summary>
    internal const long LockKey = 0x63706C6561646572;

    private static readonly Gauge LeaderGauge = Metrics.CreateGauge("controlplane_leader", "1 while this replica is the leader.");
    private static readonly Gauge GraceGauge = Metrics.CreateGauge(
        "controlplane_leader_unproven", "1 while the leader cannot reach Postgres to prove its lock and leads from memory (nothing is committed).");
    private static readonly Counter Elections = Metrics.CreateCounter("controlplane_leader_elections_total", "Times this replica became leader.");

    private readonly object _gate = new();
    private TaskCompletionSource<CancellationToken> _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _term;
    private long? _unprovenSince;

    public bool IsLeader { get; private set; }

    public LeaderFence? Fence { get; private set; }

    public async Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> leading;
        lock (_gate)
        {
            leading = _leading.Task;
        }

        return await leading.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.AttemptInterval;
        LeaderGauge.Set(0); // exported from the start, not from the first election this replica sees
        GraceGauge.Set(0);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                    if (await TryLockAsync(connection, stoppingToken) is { } fence)
                    {
                        Lead(fence);
                        await HoldAsync(connection, interval, stoppingToken);
                    }
                    else
                    {
                        // Postgres answers and someone else holds the lock: whatever this replica believed, it does not lead.
                        StepDown();
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    Log.ConnectionLost(logger, e.GetType().Name);
                    LoseProof();
                }

                await Task.Delay(interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            StepDown();
        }
    }

    /// <summary>Tries to take the leader lock on the connection: its fence when taken, null when another session holds it.</summary>
    internal static async Task<LeaderFence?> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_try_advisory_lock($1), backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()", connection)
        {
            Parameters = { new() { Value = LockKey } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) && reader.GetBoolean(0)
            ? new LeaderFence(connection.ProcessID, reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    /// <summary>
    /// Keeps the session (and so the lock, which lives as long as the session) alive and proves it every interval;
    /// a failed round trip throws.
    /// </summary>
    private async Task HoldAsync(NpgsqlConnection connection, TimeSpan interval, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(interval, time, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(interval * 3);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
        }
    }

    private void Lead(LeaderFence fence)
    {
        bool resumed;
        lock (_gate)
        {
            resumed = IsLeader;
            Fence = fence;
            _unprovenSince = null;
            if (!resumed)
            {
                _term = new CancellationTokenSource();
                IsLeader = true;
                _leading.TrySetResult(_term.Token);
            }
        }

        GraceGauge.Set(0);
        LeaderGauge.Set(1);
        if (resumed)
        {
            Log.LeadershipProvenAgain(logger);
        }
        else
        {
            Elections.Inc();
            Log.BecameLeader(logger);
        }
    }

    /// <summary>The lock can no longer be proven: lead from memory for the grace period, then step down.</summary>
    private void LoseProof()
    {
        var grace = options.Value.OutageGracePeriod;
        bool firstFailure, stepDown;
        lock (_gate)
        {
            if (!IsLeader)
            {
                return;
            }

            Fence = null;
            firstFailure = _unprovenSince is null;
            _unprovenSince ??= time.GetTimestamp();
            stepDown = time.GetElapsedTime(_unprovenSince.Value) >= grace;
        }

        if (stepDown)
        {
            StepDown();
        }
        else if (firstFailure)
        {
            GraceGauge.Set(1);
            Log.LeadingFromMemory(logger, grace.TotalSeconds);
        }
    }

    private void StepDown()
    {
        CancellationTokenSource? term;
        lock (_gate)
        {
            if (!IsLeader)
            {
                return;
            }

            IsLeader = false;
            Fence = null;
            _unprovenSince = null;
            term = _term;
            _term = null;
            _leading = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        LeaderGauge.Set(0);
        GraceGauge.Set(0);
        term?.Cancel();
        term?.Dispose();
        Log.SteppedDown(logger);
    }
}
