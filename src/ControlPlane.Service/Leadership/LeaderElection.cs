using Npgsql;
using Prometheus;

namespace ControlPlane.Service.Leadership;

/// <summary>Whether this replica currently leads: evaluates breakers, publishes tables, sends alerts.</summary>
public interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>Completes when this replica becomes leader; the token it returns is cancelled when leadership is lost.</summary>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Leadership through a session-level Postgres advisory lock held on a dedicated connection. When the leader dies its
/// connection closes and Postgres releases the lock, so a survivor takes over within one attempt interval. The leader
/// checks its connection every interval and steps down the moment it cannot prove it still holds the lock.
/// </summary>
internal sealed partial class LeaderElection(
    NpgsqlDataSource dataSource,
    TimeProvider time,
    ILogger<LeaderElection> logger) : BackgroundService, ILeadership
{
    /// <summary>Arbitrary fixed key: "cpleader" in ASCII.</summary>
    internal const long LockKey = 0x63706C6561646572;

    private static readonly Gauge LeaderGauge = Metrics.CreateGauge("controlplane_leader", "1 while this replica is the leader.");
    private static readonly Counter Elections = Metrics.CreateCounter("controlplane_leader_elections_total", "Times this replica became leader.");

    private readonly object _gate = new();
    private TaskCompletionSource<CancellationToken> _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _term;

    public static TimeSpan AttemptInterval { get; set; } = TimeSpan.FromSeconds(1);

    public bool IsLeader { get; private set; }

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
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                if (await TryLockAsync(connection, stoppingToken))
                {
                    BecomeLeader();
                    await HoldAsync(connection, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Any failure to prove the lock ends the term; another replica may take over meanwhile.
                LogConnectionLost(logger, e.GetType().Name);
            }
            finally
            {
                StepDown();
            }

            try
            {
                await Task.Delay(AttemptInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = LockKey } } };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Keeps the session (and so the lock, which lives as long as the session) alive and proves it every interval;
    /// a failed round trip throws and ends the term.
    /// </summary>
    private async Task HoldAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(AttemptInterval, time, cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(AttemptInterval * 3);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(timeout.Token);
        }
    }

    private void BecomeLeader()
    {
        lock (_gate)
        {
            _term = new CancellationTokenSource();
            IsLeader = true;
            _leading.TrySetResult(_term.Token);
        }

        LeaderGauge.Set(1);
        Elections.Inc();
        LogBecameLeader(logger);
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
            term = _term;
            _term = null;
            _leading = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        LeaderGauge.Set(0);
        term?.Cancel();
        term?.Dispose();
        LogSteppedDown(logger);
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "This replica is now the leader (evaluation, publishing, alerts)")]
    private static partial void LogBecameLeader(ILogger logger);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "This replica is no longer the leader")]
    private static partial void LogSteppedDown(ILogger logger);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Leader election connection failed ({Error}); retrying")]
    private static partial void LogConnectionLost(ILogger logger, string error);
}
