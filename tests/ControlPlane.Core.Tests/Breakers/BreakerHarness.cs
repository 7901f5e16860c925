using ControlPlane.Core.Breakers;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Core.Tests.Breakers;

/// <summary>One target: a window, a breaker state and a fake clock; every observation is followed by an evaluation.</summary>
internal sealed class BreakerHarness
{
    public BreakerHarness(BreakerSettings? settings = null, TimeSpan? objective = null)
    {
        Settings = settings ?? BreakerSettings.Default;
        Objective = objective ?? TimeSpan.FromSeconds(5);
        Time = new FakeTimeProvider(TestData.T0);
        Window = new TargetWindow(TestData.Target);
        State = BreakerState.Initial(Now);
    }

    public FakeTimeProvider Time { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public TargetWindow Window { get; }

    public BreakerSettings Settings { get; }

    public TimeSpan Objective { get; }

    public BreakerState State { get; private set; }

    public BreakerEvaluation? Last { get; private set; }

    public List<BreakerTransition> Transitions { get; } = [];

    public CircuitState Circuit => State.State;

    public BreakerEvaluation Probe(ProbeOutcome outcome, double latencyMs = 200)
    {
        Window.Record(TestData.Sample(outcome, Now, latencyMs));
        return Evaluate();
    }

    public BreakerEvaluation Evaluate()
    {
        var evaluation = BreakerStateMachine.Evaluate(State, Window, Settings, Objective, Now);
        State = evaluation.State;
        Last = evaluation;
        if (evaluation.Transition is { } t)
        {
            Transitions.Add(t);
        }

        return evaluation;
    }

    public void Advance(TimeSpan by) => Time.Advance(by);

    public void Advance(double seconds) => Time.Advance(TimeSpan.FromSeconds(seconds));
}
