using ControlPlane.Gateway.Traffic;

namespace ControlPlane.Gateway.Tests.Traffic;

public sealed class TrafficRecorderTests
{
    [Fact]
    public void Drain_ReportsCountsAndLatencyPerTarget_ThenStartsAFreshWindow()
    {
        var recorder = new TrafficRecorder();
        for (var i = 1; i <= 10; i++)
        {
            recorder.Record("a/m", "success", TimeSpan.FromMilliseconds(i * 10));
        }

        recorder.Record("a/m", "overloaded", TimeSpan.FromMilliseconds(5));
        recorder.Record("b/m", "timeout", null);

        var report = recorder.Drain();

        var a = Assert.Single(report, t => t.Target == "a/m");
        Assert.Equal(10, a.Outcomes["success"]);
        Assert.Equal(1, a.Outcomes["overloaded"]);
        Assert.Equal(50, a.LatencyP50Ms);
        Assert.Equal(100, a.LatencyP95Ms);
        var b = Assert.Single(report, t => t.Target == "b/m");
        Assert.Null(b.LatencyP50Ms);
        Assert.Empty(recorder.Drain());
    }
}
