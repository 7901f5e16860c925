using System.Diagnostics;

namespace ControlPlane.Demo;

/// <summary>Prints what happened and when, relative to the start of the demo.</summary>
internal sealed class Timeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Mark(string what)
    {
        lock (_gate)
        {
            Console.WriteLine($"[{_clock.Elapsed.TotalSeconds,7:0.00}s] {what}");
        }
    }

    public void Progress(string what)
    {
        lock (_gate)
        {
            Console.WriteLine($"           {what}");
        }
    }
}
