using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Storage;

namespace ControlPlane.Service.Tests.Storage;

public sealed class SampleBufferTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void NextBatch_IsTheOldestSamplesUpToTheBatchSize()
    {
        var buffer = Filled(batchSize: 3, limit: 10, count: 5);

        Assert.Equal([0, 1, 2], Numbers(buffer.NextBatch()));
    }

    [Fact]
    public void CompleteHead_RemovesTheBatchsFirstSamples_TheNextBatchStartsAfterThem()
    {
        var buffer = Filled(batchSize: 3, limit: 10, count: 5);
        buffer.NextBatch();

        buffer.CompleteHead(2);

        Assert.Equal(3, buffer.Count);
        Assert.Equal([2, 3, 4], Numbers(buffer.NextBatch()));
    }

    [Fact]
    public void Add_BeyondTheLimit_PushesOutTheOldest()
    {
        var buffer = Filled(batchSize: 10, limit: 3, count: 3);

        Assert.Equal(1, buffer.Add(Sample(3)));
        Assert.Equal([1, 2, 3], Numbers(buffer.NextBatch()));
    }

    [Fact]
    public void DropFromBatch_DropsOnlyPickedSamplesOfTheBatch_AndKeepsTheOrder()
    {
        var buffer = Filled(batchSize: 4, limit: 10, count: 6);
        buffer.NextBatch(); // 0..3; 4 and 5 are not in it, even though the predicate would pick 4

        var dropped = buffer.DropFromBatch(s => Number(s) % 2 == 0);

        Assert.Equal(2, dropped);
        Assert.Equal([1, 3, 4, 5], Numbers(buffer.NextBatch()));
    }

    [Fact]
    public void Clear_ReturnsWhatWasHeld()
    {
        var buffer = Filled(batchSize: 2, limit: 10, count: 4);

        Assert.Equal(4, buffer.Clear());
        Assert.Empty(buffer.NextBatch());
    }

    private static SampleBuffer Filled(int batchSize, int limit, int count)
    {
        var buffer = new SampleBuffer(batchSize, limit);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(0, buffer.Add(Sample(i)));
        }

        return buffer;
    }

    private static ProbeSample Sample(int number) =>
        new(new TargetId("openai/gpt-4o"), "openai", "gpt-4o", ProbeOutcome.Success, T0.AddSeconds(number), TimeSpan.FromMilliseconds(100));

    private static int Number(ProbeSample sample) => (int)(sample.ObservedAt - T0).TotalSeconds;

    private static int[] Numbers(IReadOnlyList<ProbeSample> samples) => samples.Select(Number).ToArray();
}
