using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>In-memory consumers of every probe result (health windows, latest-sample view). Must be fast and not throw.</summary>
public interface IProbeSampleObserver
{
    void OnSample(ProbeSample sample);
}
