using ControlPlane.Service.Hosting;
using ControlPlane.Service.Probing.Scheduling;
using ControlPlane.Service.Storage;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Health;

/// <summary>
/// Feeds this replica's health windows with the samples the other replicas stored (its own arrive directly from its
/// probe jobs). At start it also replays one window of history, so a restarted replica, or a new leader, evaluates
/// with the evidence the fleet already has rather than from empty windows.
/// </summary>
internal sealed partial class SampleFeed(
    HealthHistoryQueries history,
    IEnumerable<IProbeSampleObserver> observers,
    ReplicaIdentity replica,
    IOptions<HealthOptions> health,
    TimeProvider time,
    ILogger<SampleFeed> logger) : BackgroundService
{
    /// <summary>Rows become visible when their transaction commits, a little after their ingested_at; re-read this much.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(3);

    private const int BatchLimit = 20_000;

    private readonly IProbeSampleObserver[] _observers = observers.ToArray();

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var cursor = time.GetUtcNow() - health.Value.WindowLength;
        var seen = new SeenSamples();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = time.GetUtcNow();
                var (samples, last) = await history.GetIngestedSinceAsync(
                    cursor - Overlap, now - health.Value.WindowLength, replica.Id, BatchLimit, stoppingToken);
                foreach (var sample in samples)
                {
                    if (seen.Add(sample, now))
                    {
                        foreach (var observer in _observers)
                        {
                            observer.OnSample(sample);
                        }
                    }
                }

                if (last is { } lastIngested && lastIngested > cursor)
                {
                    cursor = lastIngested;
                }

                seen.Forget(now - Overlap - Overlap);
                if (samples.Count == BatchLimit)
                {
                    continue; // More waiting: catch up without pausing.
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Postgres away: this replica keeps evaluating with its own samples until the feed resumes.
                Log.FeedFailed(logger, e.GetType().Name);
            }

            try
            {
                await Task.Delay(PollInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Samples already delivered within the overlap, so re-reading it never counts a sample twice.</summary>
    private sealed class SeenSamples
    {
        private readonly Dictionary<(string, DateTimeOffset, short), DateTimeOffset> _seen = [];

        public bool Add(Core.Probing.ProbeSample sample, DateTimeOffset now) =>
            _seen.TryAdd((sample.Target.Value, sample.ObservedAt, (short)sample.Outcome), now);

        public void Forget(DateTimeOffset before)
        {
            foreach (var key in _seen.Where(e => e.Value < before).Select(e => e.Key).ToList())
            {
                _seen.Remove(key);
            }
        }
    }
}
