using ControlPlane.Core.Catalog;
using ControlPlane.Core.Health;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing.Scheduling;

namespace ControlPlane.Service.Health;

/// <summary>
/// Records every probe result into the sliding windows and wakes the breaker evaluator; reads one target's window
/// for the API. The windows themselves are what the breakers see.
/// </summary>
public sealed class HealthRecorder(HealthWindows windows, EvidenceSignal evaluation, TimeProvider time) : IProbeSampleObserver
{
    public HealthWindows Windows => windows;

    public void OnSample(ProbeSample sample)
    {
        windows.Record(sample);
        evaluation.Notify();
    }

    public WindowView WindowFor(TargetId target) => WindowView.From(windows.Snapshot(target, time.GetUtcNow()));
}
