using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Storage;

/// <summary>Where probes hand their samples for storage.</summary>
public interface IProbeSampleSink
{
    /// <summary>
    /// Queues the sample without blocking. Returns false (and counts the drop) when the ingest queue is full
    /// or the host is stopping: a probe never waits on the database.
    /// </summary>
    bool TryWrite(ProbeSample sample);
}
