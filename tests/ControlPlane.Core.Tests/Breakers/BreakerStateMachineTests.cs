using ControlPlane.Core.Breakers;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Breakers;

public sealed class BreakerStateMachineTests
{
    [Fact]
    public void Breaker_OpensAfterThreeConsecutiveOverloads()
    {
        var b = new BreakerHarness();
        b.Probe(ProbeOutcome.Overloaded);
        b.Advance(2);
        b.Probe(ProbeOutcome.Overloaded);
        Assert.Equal(CircuitState.Closed, b.Circuit);
        b.Advance(2);

        var evaluation = b.Probe(ProbeOutcome.Overloaded);

        Assert.Equal(CircuitState.Open, b.Circuit);
        Assert.True(evaluation.Transitioned);
        Assert.Equal(CircuitState.Closed, evaluation.Transition!.From);
        Assert.Equal(CircuitState.Open, evaluation.Transition.To);
        Assert.StartsWith("3 consecutive overloaded", evaluation.Transition.Reason, StringComparison.Ordinal);
        Assert.Equal(3, evaluation.Transition.Evidence.Count(ProbeOutcome.Overloaded));
        Assert.Equal(0, evaluation.WeightMultiplier);
        Assert.Equal(b.Now.AddSeconds(30), b.State.OpenUntil);
        Assert.Equal(1, b.State.TripCount);
    }

    [Fact]
    public void HardOutage_OpensWithinTwoProbeIntervalsWithDefaultSettings()
    {
        var probe = TestData.Probe(interval: TimeSpan.FromSeconds(10));
        foreach (var outageOffset in new[] { 0.001, 2.5, 5, 9.999 })
        {
            var b = new BreakerHarness();
            var outageStart = TestData.T0.AddSeconds(60 + outageOffset);
            while (b.Circuit != CircuitState.Open)
            {
                b.Probe(b.Now > outageStart ? ProbeOutcome.ConnectFailure : ProbeOutcome.Success);
                if (b.Circuit != CircuitState.Open)
                {
                    b.Advance(ProbeCadence.IntervalFor(b.State, probe));
                }
            }

            Assert.InRange(b.Now - outageStart, TimeSpan.Zero, 2 * probe.Interval);
            Assert.Contains("consecutive connect_failure", b.Transitions.Single().Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void HardOutageUnderGatewayTraffic_OpensOnTheFirstFailedReport()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 30; i++)
        {
            b.Window.Record(new PassiveObservation(TestData.Target, b.Now, new Dictionary<ProbeOutcome, int> { [ProbeOutcome.Success] = 10 }));
            b.Evaluate();
            b.Advance(1);
        }

        b.Window.Record(new PassiveObservation(TestData.Target, b.Now, new Dictionary<ProbeOutcome, int>
        {
            [ProbeOutcome.Success] = 1,
            [ProbeOutcome.ConnectFailure] = 9,
        }));
        b.Evaluate();

        Assert.Equal(CircuitState.Open, b.Circuit);
        Assert.StartsWith("9 consecutive connect_failure", b.Transitions.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OverloadStorm_TripsOnFailureRatioWithoutThreeInARow()
    {
        var b = new BreakerHarness();
        ProbeOutcome[] pattern = [ProbeOutcome.Overloaded, ProbeOutcome.Overloaded, ProbeOutcome.Success];
        var probes = 0;
        while (b.Circuit == CircuitState.Closed && probes < 30)
        {
            b.Probe(pattern[probes++ % pattern.Length]);
            b.Advance(2);
        }

        Assert.Equal(CircuitState.Open, b.Circuit);
        Assert.Equal(10, probes);
        var reason = b.Transitions.Single().Reason;
        Assert.StartsWith("failure ratio 0.70 ≥ 0.50 over 10 observations (overloaded 7)", reason, StringComparison.Ordinal);
        Assert.Equal(0.7, b.Transitions.Single().Evidence.OverloadRatio, 6);
    }

    [Fact]
    public void FailureRatio_NeedsTheMinimumSampleCount()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.ServerError);
            b.Advance(2);
            b.Probe(ProbeOutcome.Success);
            b.Advance(2);
        }

        Assert.Equal(CircuitState.Closed, b.Circuit);
        Assert.Equal(0.5, b.Last!.FailureRatio);
        Assert.True(b.State.Suspect);
    }

    [Fact]
    public void LoneFailure_InAWellSampledWindow_IsNotSuspectOnceASuccessFollows()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 12; i++)
        {
            b.Probe(ProbeOutcome.Success);
            b.Advance(1);
        }

        b.Probe(ProbeOutcome.ServerError);
        Assert.True(b.State.Suspect);
        b.Advance(1);
        b.Probe(ProbeOutcome.Success);

        Assert.Equal(CircuitState.Closed, b.Circuit);
        Assert.False(b.State.Suspect);
    }

    [Fact]
    public void SlowDegradation_DegradesThenRecoversWithHysteresisAndNeverOpens()
    {
        var b = new BreakerHarness(objective: TimeSpan.FromSeconds(5));
        void Run(double seconds, double latencyMs)
        {
            for (var t = 0.0; t < seconds; t += 2)
            {
                b.Probe(latencyMs > 5000 ? ProbeOutcome.Slow : ProbeOutcome.Success, latencyMs);
                b.Advance(2);
            }
        }

        Run(60, 1000);
        Assert.Equal(CircuitState.Closed, b.Circuit);

        Run(60, 7000);
        Assert.Equal(CircuitState.Degraded, b.Circuit);
        Assert.Equal(0.5, b.Last!.WeightMultiplier);
        Assert.Contains("over objective", b.Transitions.Single().Reason, StringComparison.Ordinal);

        Run(300, 4500); // under the objective but not under 0.8 × objective: stay degraded
        Assert.Equal(CircuitState.Degraded, b.Circuit);

        Run(120, 2000);
        Assert.Equal(CircuitState.Closed, b.Circuit);
        Assert.Equal(1, b.Last!.WeightMultiplier);
        Assert.Equal([CircuitState.Degraded, CircuitState.Closed], b.Transitions.Select(t => t.To));
        Assert.DoesNotContain(b.Transitions, t => t.To == CircuitState.Open);
    }

    [Fact]
    public void Degraded_StaysAtLeastTheMinimumDwell()
    {
        var settings = new BreakerSettings { DegradedMinDwell = TimeSpan.FromMinutes(2) };
        var b = new BreakerHarness(settings, TimeSpan.FromSeconds(5));
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.Slow, 9000);
            b.Advance(1);
        }

        Assert.Equal(CircuitState.Degraded, b.Circuit);
        var degradedAt = b.State.Since;

        while (b.Circuit == CircuitState.Degraded)
        {
            b.Probe(ProbeOutcome.Success, 500);
            b.Advance(1);
        }

        Assert.True(b.Transitions[^1].At - degradedAt >= TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void Flapping_TripsAtMostOncePerBreakPeriodAndTheBreakGrows()
    {
        var b = new BreakerHarness();
        var end = TestData.T0.AddMinutes(30);
        while (b.Now < end)
        {
            var secondsIn = (b.Now - TestData.T0).TotalSeconds % 40;
            b.Probe(secondsIn < 20 ? ProbeOutcome.Success : ProbeOutcome.ConnectFailure);
            b.Advance(2);
        }

        // Each Open is followed by the HalfOpen that ends its break: their distance is the break duration.
        var trips = b.Transitions
            .Select((t, i) => (Trip: t, BreakEnd: b.Transitions.ElementAtOrDefault(i + 1)))
            .Where(x => x.Trip.To == CircuitState.Open)
            .ToList();
        Assert.InRange(trips.Count, 2, 10);
        var durations = trips.Where(x => x.BreakEnd is not null).Select(x => x.BreakEnd!.At - x.Trip.At).ToList();

        for (var i = 1; i < trips.Count; i++)
        {
            Assert.True(trips[i].Trip.At - trips[i - 1].Trip.At >= durations[i - 1], $"trip {i} came before the previous break ended");
        }

        Assert.Equal(TimeSpan.FromSeconds(30), durations[0]);
        Assert.True(durations[1] > durations[0]);
        Assert.All(durations.Zip(durations.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
        Assert.Equal(TimeSpan.FromMinutes(5), durations[^1]);
        Assert.Equal(CircuitState.HalfOpen, b.Transitions[1].To);
    }

    [Fact]
    public void Recovery_GoesThroughHalfOpenAndSlowStartRampsWeightMonotonicallyToFull()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.Timeout);
            b.Advance(2);
        }

        Assert.Equal(CircuitState.Open, b.Circuit);
        b.Advance(30);

        var weights = new List<double>();
        var states = new List<CircuitState>();
        for (var i = 0; i < 40; i++)
        {
            var e = b.Probe(ProbeOutcome.Success);
            weights.Add(e.WeightMultiplier);
            states.Add(e.State.State);
            b.Advance(2);
        }

        Assert.Equal([CircuitState.Open, CircuitState.HalfOpen, CircuitState.Closed], b.Transitions.Select(t => t.To));
        Assert.Equal(CircuitState.HalfOpen, states[0]);
        Assert.Equal(0, weights[0]);
        var firstClosed = states.IndexOf(CircuitState.Closed);
        Assert.Equal(2, firstClosed);
        Assert.Equal(0.1, weights[firstClosed], 6);
        var ramp = weights.Skip(firstClosed).ToList();
        Assert.All(ramp.Zip(ramp.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
        Assert.Equal(1, ramp[^1]);
        Assert.True(ramp.Distinct().Count() >= 5);
        Assert.Null(b.State.SlowStartStartedAt);
        Assert.Contains("successful trial probes", b.Transitions[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HalfOpen_FailureReopensWithALongerBreak()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.ServerError);
        }

        b.Advance(30);
        b.Evaluate();
        Assert.Equal(CircuitState.HalfOpen, b.Circuit);
        b.Advance(2);
        b.Probe(ProbeOutcome.Success);
        Assert.Equal(CircuitState.HalfOpen, b.Circuit);
        Assert.Equal(1, b.State.HalfOpenSuccesses);
        b.Advance(2);

        var e = b.Probe(ProbeOutcome.StreamError);

        Assert.Equal(CircuitState.Open, b.Circuit);
        Assert.Equal(2, b.State.TripCount);
        Assert.Equal(b.Now.AddSeconds(60), b.State.OpenUntil);
        Assert.StartsWith("stream_error during half-open trial", e.Transition!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void HalfOpen_IgnoresFailuresFromBeforeTheTrial()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.ConnectFailure);
        }

        b.Advance(30);
        b.Probe(ProbeOutcome.ConnectFailure); // taken while still open, evaluated as the break ends
        Assert.Equal(CircuitState.HalfOpen, b.Circuit);
        b.Advance(1);
        b.Probe(ProbeOutcome.Success);
        b.Advance(1);
        b.Probe(ProbeOutcome.Success);

        Assert.Equal(CircuitState.Closed, b.Circuit);
    }

    [Fact]
    public void Closing_DoesNotLetTheOutagesFailuresTripAgain()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 12; i++)
        {
            b.Probe(ProbeOutcome.ConnectFailure);
            b.Advance(1);
        }

        b.Advance(30);
        b.Evaluate();
        b.Advance(1);
        b.Probe(ProbeOutcome.Success);
        b.Advance(1);
        b.Probe(ProbeOutcome.Success);
        Assert.Equal(CircuitState.Closed, b.Circuit);
        b.Advance(1);

        b.Probe(ProbeOutcome.Timeout);

        Assert.Equal(CircuitState.Closed, b.Circuit);
        Assert.True(b.State.Suspect);
    }

    [Fact]
    public void TripCount_ResetsAfterStayingClosedLongEnough()
    {
        var b = new BreakerHarness();
        void TripAndRecover()
        {
            for (var i = 0; i < 3; i++)
            {
                b.Probe(ProbeOutcome.Overloaded);
            }

            b.Advance(b.State.OpenUntil!.Value - b.Now);
            b.Evaluate();
            b.Advance(1);
            b.Probe(ProbeOutcome.Success);
            b.Advance(1);
            b.Probe(ProbeOutcome.Success);
            b.Advance(1);
        }

        TripAndRecover();
        TripAndRecover();
        Assert.Equal(2, b.State.TripCount);

        for (var i = 0; i < 70; i++)
        {
            b.Advance(10);
            b.Probe(ProbeOutcome.Success);
        }

        Assert.Equal(0, b.State.TripCount);
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.Overloaded);
        }

        Assert.Equal(b.Now.AddSeconds(30), b.State.OpenUntil);
    }

    [Fact]
    public void RateLimited_IsNotAFailureByDefault()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 20; i++)
        {
            b.Probe(ProbeOutcome.RateLimited);
            b.Advance(1);
        }

        Assert.Equal(CircuitState.Closed, b.Circuit);
        Assert.Empty(b.Transitions);
    }

    [Fact]
    public void RateLimited_TripsWhenConfiguredAsAFailure()
    {
        var b = new BreakerHarness(new BreakerSettings { CountRateLimitedAsFailure = true });
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.RateLimited);
            b.Advance(1);
        }

        Assert.Equal(CircuitState.Open, b.Circuit);
        Assert.StartsWith("3 consecutive rate_limited", b.Transitions.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BadRequestAndQuotaExceeded_NeverTripButRaiseSignals()
    {
        var settings = new BreakerSettings
        {
            FailureOutcomes = new HashSet<ProbeOutcome> { ProbeOutcome.BadRequest, ProbeOutcome.QuotaExceeded, ProbeOutcome.Timeout },
        };
        var b = new BreakerHarness(settings);
        for (var i = 0; i < 20; i++)
        {
            b.Probe(i % 2 == 0 ? ProbeOutcome.BadRequest : ProbeOutcome.QuotaExceeded);
            b.Advance(1);
        }

        Assert.Equal(CircuitState.Closed, b.Circuit);
        Assert.Equal(1, b.Last!.WeightMultiplier);
        Assert.Contains(b.Last.Signals, s => s.Kind == BreakerSignalKind.Misconfiguration && s.Detail.Contains("bad requests", StringComparison.Ordinal));
        Assert.Contains(b.Last.Signals, s => s.Kind == BreakerSignalKind.QuotaExhausted);
    }

    [Fact]
    public void AuthFailure_TripsAndRaisesMisconfiguration()
    {
        var b = new BreakerHarness();
        for (var i = 0; i < 3; i++)
        {
            b.Probe(ProbeOutcome.AuthFailure);
        }

        Assert.Equal(CircuitState.Open, b.Circuit);
        var signal = Assert.Single(b.Last!.Signals);
        Assert.Equal(BreakerSignalKind.Misconfiguration, signal.Kind);
        Assert.Contains("auth", signal.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MixedFailureStreak_NamesEveryOutcomeInTheReason()
    {
        var b = new BreakerHarness();
        b.Probe(ProbeOutcome.Timeout);
        b.Probe(ProbeOutcome.ConnectFailure);
        b.Probe(ProbeOutcome.Timeout);

        Assert.StartsWith("3 consecutive failures (timeout, connect_failure)", b.Transitions.Single().Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 60)]
    [InlineData(3, 120)]
    [InlineData(4, 240)]
    [InlineData(5, 300)]
    [InlineData(50, 300)]
    public void BreakDuration_DoublesPerTripUpToTheCap(int trips, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BreakerSettings.Default.BreakDurationFor(trips));
}
