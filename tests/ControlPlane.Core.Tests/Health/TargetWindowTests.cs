using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;
using static ControlPlane.Core.Tests.TestData;

namespace ControlPlane.Core.Tests.Health;

public sealed class TargetWindowTests
{
    [Fact]
    public void Snapshot_CountsEveryOutcomeAndTotal()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.Success, T0));
        window.Record(Sample(ProbeOutcome.Overloaded, T0.AddSeconds(1)));
        window.Record(Sample(ProbeOutcome.Overloaded, T0.AddSeconds(2)));
        window.Record(Sample(ProbeOutcome.BadRequest, T0.AddSeconds(3)));

        var stats = window.Snapshot(T0.AddSeconds(4));

        Assert.Equal(4, stats.Total);
        Assert.Equal(1, stats.Count(ProbeOutcome.Success));
        Assert.Equal(2, stats.Count(ProbeOutcome.Overloaded));
        Assert.Equal(0, stats.Count(ProbeOutcome.Timeout));
        Assert.Equal(0.5, stats.OverloadRatio);
        Assert.Equal(ProbeOutcome.BadRequest, stats.LastOutcome);
        Assert.Equal(T0.AddSeconds(3), stats.LastSampleAt);
    }

    [Fact]
    public void Snapshot_ForgetsObservationsOlderThanTheWindow()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.ConnectFailure, T0));
        window.Record(Sample(ProbeOutcome.Success, T0.AddSeconds(30)));

        var stats = window.Snapshot(T0.AddSeconds(61));

        Assert.Equal(1, stats.Total);
        Assert.Equal(0, stats.Count(ProbeOutcome.ConnectFailure));
        Assert.Single(stats.Recent);
    }

    [Fact]
    public void Snapshot_ReusesBucketsAsTimeMovesOn()
    {
        var window = new TargetWindow(Target);
        for (var i = 0; i < 600; i++)
        {
            window.Record(Sample(ProbeOutcome.Success, T0.AddSeconds(i)));
        }

        var stats = window.Snapshot(T0.AddSeconds(599));

        Assert.Equal(60, stats.Total);
    }

    [Fact]
    public void FailureRatio_IgnoresOutcomesThatAreNeitherFailureNorAnswer()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.Success, T0));
        window.Record(Sample(ProbeOutcome.ServerError, T0));
        window.Record(Sample(ProbeOutcome.QuotaExceeded, T0));
        window.Record(Sample(ProbeOutcome.BadRequest, T0));
        window.Record(Sample(ProbeOutcome.RateLimited, T0));

        var stats = window.Snapshot(T0.AddSeconds(1));

        Assert.Equal(5, stats.Total);
        Assert.Equal(2, stats.EvaluatedCount());
        Assert.Equal(0.5, stats.FailureRatio());
        var withRateLimits = new HashSet<ProbeOutcome>(OutcomeSets.DefaultFailures) { ProbeOutcome.RateLimited };
        Assert.Equal(2.0 / 3, stats.FailureRatio(withRateLimits), 6);
    }

    [Fact]
    public void Percentiles_StayWithinTheDocumentedErrorBound()
    {
        var window = new TargetWindow(Target);
        for (var ms = 1; ms <= 1000; ms++)
        {
            window.Record(Sample(ProbeOutcome.Success, T0.AddMilliseconds(ms * 50), latencyMs: ms, ttftMs: ms / 2.0 + 1));
        }

        var stats = window.Snapshot(T0.AddSeconds(51));

        AssertWithin(500, stats.LatencyP50!.Value.TotalMilliseconds, 0.091);
        AssertWithin(950, stats.LatencyP95!.Value.TotalMilliseconds, 0.091);
        AssertWithin(251, stats.TimeToFirstTokenP50!.Value.TotalMilliseconds, 0.091);
        AssertWithin(476, stats.TimeToFirstTokenP95!.Value.TotalMilliseconds, 0.091);
        Assert.Equal(1000, stats.LatencySamples);
    }

    [Fact]
    public void Latency_IsMeasuredOnAnsweredObservationsOnly()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.Success, T0, latencyMs: 300));
        window.Record(Sample(ProbeOutcome.Slow, T0, latencyMs: 300));
        window.Record(Sample(ProbeOutcome.Timeout, T0, latencyMs: 8000));
        window.Record(Sample(ProbeOutcome.ConnectFailure, T0, latencyMs: 2));

        var stats = window.Snapshot(T0.AddSeconds(1));

        Assert.Equal(2, stats.LatencySamples);
        AssertWithin(300, stats.LatencyP95!.Value.TotalMilliseconds, 0.091);
        Assert.Equal(0.5, stats.SlowRatio);
    }

    [Fact]
    public void Snapshot_WithoutObservationsHasNoPercentilesOrLastOutcome()
    {
        var stats = new TargetWindow(Target).Snapshot(T0);

        Assert.Equal(0, stats.Total);
        Assert.Null(stats.LatencyP95);
        Assert.Null(stats.LastOutcome);
        Assert.Equal(0, stats.FailureRatio());
    }

    [Fact]
    public void Streaks_CountTrailingRunsAndSkipNeutralOutcomes()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.ConnectFailure, T0));
        window.Record(Sample(ProbeOutcome.Success, T0.AddSeconds(1)));
        window.Record(Sample(ProbeOutcome.Overloaded, T0.AddSeconds(2)));
        window.Record(Sample(ProbeOutcome.BadRequest, T0.AddSeconds(3)));
        window.Record(Sample(ProbeOutcome.Timeout, T0.AddSeconds(4)));

        var stats = window.Snapshot(T0.AddSeconds(5));

        Assert.Equal(2, stats.ConsecutiveFailures());
        Assert.Equal(0, stats.ConsecutiveSuccesses());
        Assert.Equal([ProbeOutcome.Timeout, ProbeOutcome.Overloaded], stats.TrailingFailureOutcomes());
        Assert.Equal(1, stats.ConsecutiveFailures(after: T0.AddSeconds(3)));
    }

    [Fact]
    public void Record_PlacesLateArrivalsInTimeOrder()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.Success, T0.AddSeconds(2)));
        window.Record(Sample(ProbeOutcome.Timeout, T0.AddSeconds(1)));

        var stats = window.Snapshot(T0.AddSeconds(3));

        Assert.Equal(ProbeOutcome.Success, stats.LastOutcome);
        Assert.Equal(1, stats.ConsecutiveSuccesses());
        Assert.Equal(0, stats.ConsecutiveFailures());
    }

    [Fact]
    public void Record_DropsSamplesOlderThanTheWindowCovers()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.Success, T0.AddSeconds(120)));
        window.Record(Sample(ProbeOutcome.Timeout, T0));

        var stats = window.Snapshot(T0.AddSeconds(121));

        Assert.Equal(1, stats.Total);
        Assert.Equal(0, stats.Count(ProbeOutcome.Timeout));
    }

    [Fact]
    public void RecentHistory_IsBounded()
    {
        var window = new TargetWindow(Target);
        for (var i = 0; i < 10_000; i++)
        {
            window.Record(Sample(ProbeOutcome.ServerError, T0.AddMilliseconds(i)));
        }

        var stats = window.Snapshot(T0.AddSeconds(10));

        Assert.Equal(10_000, stats.Total);
        Assert.Equal(TargetWindow.RecentCapacity, stats.Recent.Count);
        Assert.Equal(TargetWindow.RecentCapacity, stats.ConsecutiveFailures());
    }

    [Fact]
    public void Snapshot_SinceExcludesEarlierBucketsAndHistory()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.ConnectFailure, T0));
        window.Record(Sample(ProbeOutcome.ConnectFailure, T0.AddSeconds(5)));
        window.Record(Sample(ProbeOutcome.Success, T0.AddSeconds(20)));

        var stats = window.Snapshot(T0.AddSeconds(30), since: T0.AddSeconds(10));

        Assert.Equal(1, stats.Total);
        Assert.Equal(0, stats.ConsecutiveFailures());
        Assert.Single(stats.Recent);
        Assert.Equal(T0.AddSeconds(10), stats.From);
    }

    [Fact]
    public void PassiveReport_IsWeightedAndEndsWithItsMajority()
    {
        var window = new TargetWindow(Target);
        window.Record(Sample(ProbeOutcome.Success, T0));
        window.Record(new PassiveObservation(
            Target,
            T0.AddSeconds(1),
            new Dictionary<ProbeOutcome, int> { [ProbeOutcome.Success] = 2, [ProbeOutcome.ConnectFailure] = 8 },
            Latency: TimeSpan.FromMilliseconds(400)),
            weight: 0.5);

        var stats = window.Snapshot(T0.AddSeconds(2));

        Assert.Equal(6, stats.Total);
        Assert.Equal(4, stats.Count(ProbeOutcome.ConnectFailure));
        Assert.Equal(4, stats.ConsecutiveFailures());
        Assert.Equal(2, stats.LatencySamples);
        AssertWithin(400, stats.LatencyP95!.Value.TotalMilliseconds, 0.091);
    }

    [Fact]
    public void HealthWindows_KeepsOneWindowPerTargetAndAppliesThePassiveWeight()
    {
        var windows = new HealthWindows(WindowOptions.Default with { PassiveWeight = 0.25 });
        var other = TargetId.For("openai", "gpt-4o");
        windows.Record(Sample(ProbeOutcome.Success, T0));
        windows.Record(Sample(ProbeOutcome.Timeout, T0, target: other));
        windows.Record(new PassiveObservation(Target, T0, new Dictionary<ProbeOutcome, int> { [ProbeOutcome.Success] = 4 }));

        Assert.Equal(2, windows.Count);
        Assert.Equal(2, windows.Snapshot(Target, T0.AddSeconds(1)).Count(ProbeOutcome.Success));
        Assert.Equal(1, windows.Snapshot(other, T0.AddSeconds(1)).Total);
        Assert.Equal(0, windows.Snapshot(TargetId.For("gemini", "flash"), T0).Total);
    }

    private static void AssertWithin(double expected, double actual, double relative) =>
        Assert.InRange(actual, expected * (1 - relative), expected * (1 + relative));
}
