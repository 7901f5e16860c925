using ControlPlane.Core.Breakers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;

namespace ControlPlane.Benchmarks.ProbeEconomy;

/// <param name="ErrorRate">Sporadic failures outside outages: this fraction of probes and requests get a 5xx or 529.</param>
/// <param name="GatewayTimeout">How long the gateway waits on a hung provider before it reports the request as a timeout.</param>
internal sealed record SimulationOptions(TimeSpan Duration, TimeSpan Interval, double ErrorRate, TimeSpan GatewayTimeout, int Seed);

/// <summary>When the breaker opened for one outage; null: never while it lasted (missed).</summary>
internal sealed record Detection(Outage Outage, bool Traffic, TimeSpan? After);

/// <summary>Probes each provider actually sent per minute (under a budget, to hold against it).</summary>
/// <param name="BusiestMean">The busiest provider's probes per minute averaged over the run.</param>
/// <param name="BusiestMinute">The most probes one provider sent in one clock minute (after the first).</param>
internal sealed record ProviderRates(double BusiestMean, int BusiestMinute);

internal sealed record StrategyResult(
    ProbeStrategy Strategy,
    TimeSpan Duration,
    long InferenceProbes,
    long ModelsProbes,
    long InputTokens,
    long OutputTokens,
    long ReasoningTokens,
    decimal Cost,
    IReadOnlyList<Detection> Detections,
    int OpensOutsideOutages,
    long Requests,
    long Evaluations,
    ProviderRates? Rates)
{
    public long Tokens => InputTokens + OutputTokens + ReasoningTokens;

    public double PerHour(double value) => value / Duration.TotalHours;
}

/// <summary>
/// The fleet in virtual time: a discrete-event simulation, no sleeps, no HTTP, no clock. Every decision is the real
/// pure code from ControlPlane.Core — each target's <see cref="TargetWindow"/> (<see cref="WindowOptions.Default"/>),
/// <see cref="BreakerStateMachine.Evaluate(BreakerState, TargetWindow, BreakerSettings, TimeSpan, DateTimeOffset)"/>
/// with <see cref="BreakerSettings.Default"/>, <see cref="ProbeCadence.Decide"/>, <see cref="ProbeCadence.EffectiveTimeout"/>
/// and <see cref="ProbeSlots.NextSlot"/> — wired the way the service wires it:
/// <list type="bullet">
/// <item>LocalProbeScheduler: each target fires on its own grid; a slower interval reschedules it on the new grid; a
/// faster one, or inference returning after list-models, probes at once but never sooner than the new interval after
/// the last probe, and then every interval from then; the runner reads the mode at each fire; probes of one target may
/// overlap; the probe timeout is capped at the current interval.</item>
/// <item>With a budget (ProbeCadenceController, ProbeCadences): intervals start at the catalog's within the budget, and
/// after every evaluation the provider's budget is shared out again by <see cref="ProbeBudget.Allocate"/> over each
/// of its targets' latest demand (interval and urgency from <see cref="ProbeCadence.Decide"/>).</item>
/// <item>The sample is stamped with the probe's start and lands when the probe ends, which wakes the leader's evaluation
/// (the target is evaluated at that instant; the 50 ms minimum gap between evaluations is left out).</item>
/// <item>Gateways report each target's traffic every second (counts per outcome and the median latency); the report
/// is folded into the window and counted for coverage, and it wakes a full evaluation of every target, which also
/// stands in for the leader's periodic pass (500 ms in the service, so time-driven changes such as the end of a break
/// show up here up to a second later than there).</item>
/// <item>After every evaluation of an adaptive strategy: <see cref="ProbeCadence.Decide"/> with the gateway requests
/// over <see cref="ProbeCadenceSettings.EffectiveCoverageHorizon"/> picks the interval and the mode the next probes use
/// (one replica: the leader probes every target, so no cadence store round trip).</item>
/// <item>Traffic follows the table: a target's request rate is scaled by its breaker's weight multiplier (0 while Open
/// or HalfOpen, the slow-start ramp after closing), as if the route sent the rest elsewhere.</item>
/// </list>
/// </summary>
internal sealed class FleetSimulation
{
    /// <summary>An Open within this long after an outage ended still counts for it (a hung probe lands after the end).</summary>
    private static readonly TimeSpan DetectionGrace = CatalogBuilder.DefaultProbe.Timeout;

    private static readonly DateTimeOffset Epoch = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);

    private readonly FleetPlan _plan;
    private readonly ProbeStrategy _strategy;
    private readonly SimulationOptions _options;
    private readonly BreakerSettings _breaker = BreakerSettings.Default;
    private readonly ProbeCadenceSettings _cadence;
    private readonly ProbeSettings _probe;
    private readonly TargetRun[] _runs;
    private readonly PriorityQueue<SimEvent, (long Ticks, long Sequence)> _events = new();
    private readonly Dictionary<int, TimeSpan?> _detected = [];
    private readonly Dictionary<string, TargetRun[]> _byProvider;
    private readonly Dictionary<(string Provider, int Minute), int> _firesPerMinute = [];
    private long _sequence;
    private long _inferenceProbes, _modelsProbes, _inputTokens, _outputTokens, _reasoningTokens, _requests, _evaluations;
    private decimal _cost;
    private int _falseOpens;

    public FleetSimulation(FleetPlan plan, ProbeStrategy strategy, SimulationOptions options)
    {
        _plan = plan;
        _strategy = strategy;
        _options = options;
        _cadence = ProbeCadenceSettings.Default with { SuppressWhenCovered = strategy.SuppressWhenCovered };
        _probe = CatalogBuilder.DefaultProbe with
        {
            Mode = strategy.Mode,
            Interval = options.Interval,
            Timeout = options.Interval < CatalogBuilder.DefaultProbe.Timeout ? options.Interval : CatalogBuilder.DefaultProbe.Timeout,
        };
        _runs = plan.Targets
            .Select(t => new TargetRun(t, plan.Outages.Where(o => o.Target == t.Index).ToList(), _probe, Epoch,
                // One random stream per target and purpose, the same for every strategy: the strategies differ only
                // where their decisions make them differ.
                new Random(StreamSeed(options.Seed, t.Index, 1)), new Random(StreamSeed(options.Seed, t.Index, 2))))
            .ToArray();
        _byProvider = _runs.GroupBy(r => r.Target.ProviderId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    public StrategyResult Run()
    {
        if (_strategy.BudgetPerMinute is { } budget)
        {
            // ProbeCadences' baseline: the catalog's intervals within the budget from the first probe on.
            foreach (var provider in _byProvider.Values)
            {
                var baseline = ProbeBudget.Allocate(budget, provider.Select(r => r.Demand).ToList());
                foreach (var run in provider)
                {
                    run.Interval = baseline.Intervals[run.Target.Id];
                }
            }
        }

        foreach (var run in _runs)
        {
            Schedule(ProbeSlots.NextSlot(run.Target.Id, run.Interval, Epoch) - Epoch, new SimEvent(EventKind.ProbeFire, run.Target.Index, run.Generation, null));
        }

        Schedule(ReportInterval, new SimEvent(EventKind.Report, -1, 0, null));
        while (_events.TryDequeue(out var e, out var at))
        {
            var now = TimeSpan.FromTicks(at.Ticks);
            if (now > _options.Duration)
            {
                break;
            }

            switch (e.Kind)
            {
                case EventKind.ProbeFire:
                    Fire(_runs[e.Target], e.Generation, now);
                    break;
                case EventKind.ProbeDone:
                    Land(_runs[e.Target], e.Sample!, now);
                    break;
                case EventKind.Report:
                    Report(now);
                    Schedule(now + ReportInterval, e);
                    break;
            }
        }

        var detections = _plan.Outages
            .Select(o => new Detection(o, _plan.Targets[o.Target].HasTraffic, _detected.GetValueOrDefault(o.Number)))
            .ToList();
        return new StrategyResult(_strategy, _options.Duration, _inferenceProbes, _modelsProbes, _inputTokens, _outputTokens,
            _reasoningTokens, _cost, detections, _falseOpens, _requests, _evaluations, Rates());
    }

    // ---- probes -----------------------------------------------------------------------------------------------------

    private void Fire(TargetRun run, long generation, TimeSpan now)
    {
        if (generation != run.Generation)
        {
            return; // the trigger was replaced by a reschedule
        }

        Schedule(now + run.Interval, new SimEvent(EventKind.ProbeFire, run.Target.Index, generation, null));
        var mode = run.Mode;
        run.LastFire = now;
        var minute = (int)now.TotalMinutes;
        _firesPerMinute[(run.Target.ProviderId, minute)] = _firesPerMinute.GetValueOrDefault((run.Target.ProviderId, minute)) + 1;
        if (mode == ProbeMode.Inference)
        {
            _inferenceProbes++;
        }
        else
        {
            _modelsProbes++;
        }

        var timeout = ProbeCadence.EffectiveTimeout(_probe, run.Interval);
        var (outcome, latency) = ProbeResult(run, mode, now, timeout);
        var usage = mode == ProbeMode.Inference && outcome.IsAvailable() ? run.Target.Family.UsageFor(_strategy.Shape) : null;
        var sample = new ProbeSample(run.Target.Id, run.Target.Family.Provider, run.Target.Family.Model, outcome, Epoch + now, latency,
            Mode: mode, Usage: usage);
        Schedule(now + latency, new SimEvent(EventKind.ProbeDone, run.Target.Index, generation, sample));
    }

    private (ProbeOutcome Outcome, TimeSpan Latency) ProbeResult(TargetRun run, ProbeMode mode, TimeSpan now, TimeSpan timeout)
    {
        var random = run.ProbeRandom;
        var outage = run.OutageAt(now);
        var failure = outage?.Kind switch
        {
            OutageKind.ServerError => ProbeOutcome.ServerError,
            OutageKind.Overloaded => ProbeOutcome.Overloaded,
            OutageKind.Hang => ProbeOutcome.Timeout,
            OutageKind.InferenceOnly when mode == ProbeMode.Inference => ProbeOutcome.Overloaded,
            _ => Noise(random),
        };

        return failure switch
        {
            ProbeOutcome.Timeout => (ProbeOutcome.Timeout, timeout),
            { } error => (error, ErrorLatency(error, random)),
            // Probe latency does not depend on the shape here (see the notes): well under the 3 s objective.
            null => (ProbeOutcome.Success, mode == ProbeMode.Inference ? LogNormal(random, 450, 0.4) : LogNormal(random, 120, 0.3)),
        };
    }

    private void Land(TargetRun run, ProbeSample sample, TimeSpan now)
    {
        run.Window.Record(sample);
        if (sample.Usage is { } usage)
        {
            _inputTokens += usage.InputTokens;
            _outputTokens += usage.OutputTokens;
            _reasoningTokens += usage.ReasoningTokens;
            _cost += run.Target.Family.CostOf(usage);
        }

        Evaluate(run, now);
    }

    // ---- gateway traffic ------------------------------------------------------------------------------------------

    /// <summary>The gateways' one-second report: requests that ended in the last second, then a full evaluation.</summary>
    private void Report(TimeSpan now)
    {
        var from = now - ReportInterval;
        foreach (var run in _runs)
        {
            if (!run.Target.HasTraffic)
            {
                continue;
            }

            var random = run.TrafficRandom;
            var arrivals = Poisson(random, run.Target.TrafficPerSecond * ReportInterval.TotalSeconds);
            for (var i = 0; i < arrivals; i++)
            {
                var at = from + (ReportInterval * random.NextDouble());
                // The table's weight at the request's arrival: traffic goes elsewhere while the breaker is Open.
                var weight = at < run.WeightChangedAt ? run.PreviousWeight : run.Weight;
                if (weight < 1 && random.NextDouble() >= weight)
                {
                    continue;
                }

                _requests++;
                var failure = run.OutageAt(at)?.Kind switch
                {
                    OutageKind.ServerError => ProbeOutcome.ServerError,
                    OutageKind.Overloaded or OutageKind.InferenceOnly => ProbeOutcome.Overloaded,
                    OutageKind.Hang => ProbeOutcome.Timeout,
                    _ => Noise(random),
                };
                var (outcome, latency) = failure switch
                {
                    ProbeOutcome.Timeout => (ProbeOutcome.Timeout, _options.GatewayTimeout),
                    { } error => (error, ErrorLatency(error, random)),
                    null => (ProbeOutcome.Success, LogNormal(random, 900, 0.5)),
                };
                run.InFlight.Add((at + latency, outcome, latency));
            }

            var counts = new Dictionary<ProbeOutcome, int>();
            var latencies = new List<double>();
            var total = 0;
            for (var i = run.InFlight.Count - 1; i >= 0; i--)
            {
                var (done, outcome, latency) = run.InFlight[i];
                if (done > now)
                {
                    continue;
                }

                counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
                total++;
                if (outcome.IsAvailable())
                {
                    latencies.Add(latency.TotalMilliseconds);
                }

                run.InFlight.RemoveAt(i);
            }

            if (total > 0)
            {
                latencies.Sort();
                var median = latencies.Count > 0 ? TimeSpan.FromMilliseconds(latencies[latencies.Count / 2]) : (TimeSpan?)null;
                run.Window.Record(new PassiveObservation(run.Target.Id, Epoch + now, counts, median), 1.0);
                run.Coverage.Enqueue((now, total));
            }
        }

        foreach (var run in _runs)
        {
            Evaluate(run, now);
        }
    }

    // ---- the leader -------------------------------------------------------------------------------------------------

    private void Evaluate(TargetRun run, TimeSpan now)
    {
        _evaluations++;
        var evaluation = BreakerStateMachine.Evaluate(run.State, run.Window, _breaker, _probe.LatencyObjective, Epoch + now);
        if (evaluation.Transition is { To: CircuitState.Open })
        {
            Opened(run, now);
        }

        run.State = evaluation.State;
        if (evaluation.WeightMultiplier != run.Weight)
        {
            (run.PreviousWeight, run.Weight, run.WeightChangedAt) = (run.Weight, evaluation.WeightMultiplier, now);
        }

        if (!_strategy.Adaptive)
        {
            return;
        }

        var decision = ProbeCadence.Decide(run.State, _probe, _cadence, run.PassiveCount(now, _cadence.EffectiveCoverageHorizon), run.Covered);
        run.Covered = decision.Suppressed;
        if (_strategy.BudgetPerMinute is not { } budget)
        {
            Reschedule(run, decision.Interval, decision.Mode, now);
            return;
        }

        // ProbeCadenceController: the provider's budget is shared out again from every target's latest demand.
        run.Demand = new ProbeDemand(run.Target.Id, decision.Interval, decision.Urgent);
        run.DesiredMode = decision.Mode;
        var provider = _byProvider[run.Target.ProviderId];
        var allocation = ProbeBudget.Allocate(budget, provider.Select(r => r.Demand).ToList());
        foreach (var member in provider)
        {
            Reschedule(member, allocation.Intervals[member.Target.Id], member.DesiredMode, now);
        }
    }

    /// <summary>
    /// LocalProbeScheduler.RescheduleAsync: the runner reads the mode at each fire; whichever way the interval moves, the
    /// next probe comes no sooner than the new interval after the last one (the budget counts every probe); a slower
    /// interval then waits for its grid slot, a faster one (or inference returning after list-models) probes at once.
    /// </summary>
    private void Reschedule(TargetRun run, TimeSpan interval, ProbeMode mode, TimeSpan now)
    {
        var inferenceReturns = run.Mode == ProbeMode.Models && mode == ProbeMode.Inference;
        run.Mode = mode;
        if (interval == run.Interval && !inferenceReturns)
        {
            return;
        }

        var earliest = run.LastFire is { } fired && fired + interval > now ? fired + interval : now;
        var first = interval < run.Interval || inferenceReturns
            ? earliest
            : ProbeSlots.NextSlot(run.Target.Id, interval, Epoch + earliest) - Epoch;

        run.Interval = interval;
        run.Generation++;
        Schedule(first, new SimEvent(EventKind.ProbeFire, run.Target.Index, run.Generation, null));
    }

    private ProviderRates? Rates()
    {
        if (_strategy.BudgetPerMinute is null)
        {
            return null;
        }

        var minutes = _options.Duration.TotalMinutes;
        var busiestMean = _firesPerMinute.GroupBy(p => p.Key.Provider).Max(g => g.Sum(p => p.Value)) / minutes;
        var busiestMinute = _firesPerMinute.Where(p => p.Key.Minute > 0 && p.Key.Minute < (int)minutes).Max(p => p.Value);
        return new ProviderRates(busiestMean, busiestMinute);
    }

    private void Opened(TargetRun run, TimeSpan now)
    {
        var outage = run.Outages.FirstOrDefault(o => now >= o.Start && now <= o.End + DetectionGrace);
        if (outage is null)
        {
            _falseOpens++;
        }
        else
        {
            _detected.TryAdd(outage.Number, now - outage.Start);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private ProbeOutcome? Noise(Random random) =>
        random.NextDouble() < _options.ErrorRate ? (random.Next(2) == 0 ? ProbeOutcome.ServerError : ProbeOutcome.Overloaded) : null;

    private static TimeSpan ErrorLatency(ProbeOutcome outcome, Random random) =>
        outcome == ProbeOutcome.Overloaded ? LogNormal(random, 150, 0.3) : LogNormal(random, 80, 0.3);

    private static TimeSpan LogNormal(Random random, double medianMs, double sigma)
    {
        var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Round(medianMs * Math.Exp(sigma * gaussian), 1));
    }

    /// <summary>Knuth's method: fine for the handful of requests per second a target gets here.</summary>
    private static int Poisson(Random random, double mean)
    {
        var limit = Math.Exp(-mean);
        var product = random.NextDouble();
        var count = 0;
        while (product > limit)
        {
            count++;
            product *= random.NextDouble();
        }

        return count;
    }

    /// <summary>A seed per (run seed, target, purpose) that is the same in every process (HashCode is not).</summary>
    private static int StreamSeed(int seed, int target, int purpose) => unchecked((seed * 1_000_003) + (target * 7919) + purpose);

    private void Schedule(TimeSpan at, SimEvent e) => _events.Enqueue(e, (at.Ticks, _sequence++));

    private enum EventKind
    {
        ProbeFire,
        ProbeDone,
        Report,
    }

    private readonly record struct SimEvent(EventKind Kind, int Target, long Generation, ProbeSample? Sample);

    /// <summary>One target's live state in the run: its window, breaker, trigger and traffic.</summary>
    private sealed class TargetRun(FleetTarget target, List<Outage> outages, ProbeSettings probe, DateTimeOffset epoch, Random probeRandom, Random trafficRandom)
    {
        public FleetTarget Target { get; } = target;

        public List<Outage> Outages { get; } = outages;

        public TargetWindow Window { get; } = new(target.Id, WindowOptions.Default);

        public BreakerState State { get; set; } = BreakerState.Initial(epoch);

        public TimeSpan Interval { get; set; } = probe.Interval;

        public ProbeMode Mode { get; set; } = probe.Mode;

        /// <summary>Bumped on every reschedule; fires of an older trigger are dropped.</summary>
        public long Generation { get; set; }

        public double Weight { get; set; } = 1;

        /// <summary>What adaptive probing last wanted, before the provider's budget.</summary>
        public ProbeDemand Demand { get; set; } = new(target.Id, probe.Interval, false);

        public ProbeMode DesiredMode { get; set; } = probe.Mode;

        /// <summary>Covered by traffic at the last decision (the exit threshold applies).</summary>
        public bool Covered { get; set; }

        /// <summary>When the trigger last fired (Quartz's PreviousFireTimeUtc).</summary>
        public TimeSpan? LastFire { get; set; }

        public double PreviousWeight { get; set; } = 1;

        public TimeSpan WeightChangedAt { get; set; }

        public Random ProbeRandom { get; } = probeRandom;

        public Random TrafficRandom { get; } = trafficRandom;

        public List<(TimeSpan Done, ProbeOutcome Outcome, TimeSpan Latency)> InFlight { get; } = [];

        /// <summary>Requests per report, as the leader's PassiveCoverage keeps them.</summary>
        public Queue<(TimeSpan At, int Count)> Coverage { get; } = new();

        public Outage? OutageAt(TimeSpan at)
        {
            foreach (var outage in Outages)
            {
                if (outage.ActiveAt(at))
                {
                    return outage;
                }
            }

            return null;
        }

        public int PassiveCount(TimeSpan now, TimeSpan horizon)
        {
            while (Coverage.Count > 0 && Coverage.Peek().At < now - horizon)
            {
                Coverage.Dequeue();
            }

            var sum = 0;
            foreach (var (_, count) in Coverage)
            {
                sum += count;
            }

            return sum;
        }
    }
}
