using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Storage;

/// <summary>
/// The ingest's retry buffer: samples taken off the queue and not yet written, oldest first, never more than
/// <c>limit</c> of them. The batch it hands out is always its head, so finishing the batch's first samples (written,
/// or rejected for good) is removing them from the head: the rule every caller relies on lives here. Pure, no I/O.
/// </summary>
internal sealed class SampleBuffer(int batchSize, int limit)
{
    private readonly Queue<ProbeSample> _samples = new();
    private readonly List<ProbeSample> _batch = [];

    public int Count => _samples.Count;

    /// <summary>Adds a sample at the tail; returns how many of the oldest it pushed out (0 or 1), since the newest say most about health now.</summary>
    public int Add(ProbeSample sample)
    {
        _samples.Enqueue(sample);
        if (_samples.Count <= limit)
        {
            return 0;
        }

        _samples.Dequeue();
        return 1;
    }

    /// <summary>The oldest samples, up to the batch size. The list is reused: it is valid until the next call.</summary>
    public IReadOnlyList<ProbeSample> NextBatch()
    {
        _batch.Clear();
        _batch.AddRange(_samples.Take(batchSize));
        return _batch;
    }

    /// <summary>The first <paramref name="count"/> samples of the batch are done with: they leave the buffer.</summary>
    public void CompleteHead(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _samples.Dequeue();
        }
    }

    /// <summary>Drops the samples of the current batch that <paramref name="drop"/> picks; the rest keep their order. Returns how many.</summary>
    public int DropFromBatch(Func<ProbeSample, bool> drop)
    {
        var inBatch = Math.Min(_batch.Count, _samples.Count);
        var kept = new List<ProbeSample>(_samples.Count);
        var dropped = 0;
        var index = 0;
        foreach (var sample in _samples)
        {
            if (index++ < inBatch && drop(sample))
            {
                dropped++;
                continue;
            }

            kept.Add(sample);
        }

        _samples.Clear();
        kept.ForEach(_samples.Enqueue);
        return dropped;
    }

    /// <summary>Empties the buffer; returns how many samples it held.</summary>
    public int Clear()
    {
        var count = _samples.Count;
        _samples.Clear();
        return count;
    }
}
