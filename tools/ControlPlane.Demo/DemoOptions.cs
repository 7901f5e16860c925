using System.Globalization;

namespace ControlPlane.Demo;

internal sealed record DemoOptions(double RequestsPerSecond, TimeSpan Warmup, TimeSpan OutageHold, TimeSpan RecoveryTimeout, TimeSpan ProbeInterval)
{
    public static DemoOptions Parse(string[] args)
    {
        var options = new DemoOptions(10, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(90), TimeSpan.FromSeconds(2));
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--rps" => options with { RequestsPerSecond = value },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(value) },
                "--outage-hold" => options with { OutageHold = TimeSpan.FromSeconds(value) },
                "--probe-interval" => options with { ProbeInterval = TimeSpan.FromSeconds(value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}; known: --rps, --warmup, --outage-hold, --probe-interval"),
            };
        }

        return options;
    }
}
