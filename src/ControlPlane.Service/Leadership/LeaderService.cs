namespace ControlPlane.Service.Leadership;

/// <summary>
/// A background loop that works on the leader only: it waits for leadership, runs <see cref="LeadAsync"/> until the
/// term ends (the token is cancelled when leadership is lost or the host stops), and then waits again. A term that
/// fails is logged and restarted after a pause; the next leader, or the next term, carries on from stored state.
/// </summary>
public abstract class LeaderService(ILeadership leadership, TimeProvider time, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(1);

    protected ILeadership Leadership { get; } = leadership;

    protected TimeProvider Time { get; } = time;

    protected ILogger Logger { get; } = logger;

    /// <summary>The leader's work for one term; return or throw when the term's token is cancelled.</summary>
    protected abstract Task LeadAsync(CancellationToken term);

    /// <summary>Called when a term ends by losing leadership (not at shutdown), for state that is only true while leading.</summary>
    protected virtual void OnTermEnded()
    {
    }

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var term = await Leadership.WaitForLeadershipAsync(stoppingToken);
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
                await LeadAsync(leading.Token);

                // Nothing (more) to do this term: hold it rather than asking again for a leadership already held.
                await Task.Delay(Timeout.InfiniteTimeSpan, Time, leading.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                OnTermEnded();
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception e)
            {
                Log.TermFailed(Logger, GetType().Name, e);
                await Task.Delay(RestartDelay, Time, stoppingToken);
            }
        }
    }
}
