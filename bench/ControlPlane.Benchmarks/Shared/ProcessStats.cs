using System.Diagnostics;
using System.Globalization;

namespace ControlPlane.Benchmarks.Shared;

/// <summary>CPU time and memory of another process, read from /proc (Linux).</summary>
internal static class ProcessStats
{
    private static readonly Lazy<double> ClockTicksPerSecond = new(ReadClockTicks);

    /// <summary>User + system CPU time the process has used so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces, so split after the last ')'.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of the full line (utime, stime) are 11 and 12 after "pid (comm)".
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / ClockTicksPerSecond.Value);
    }

    /// <summary>A line of /proc/&lt;pid&gt;/status such as VmRSS or VmHWM, in megabytes.</summary>
    public static double? StatusMegabytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return null;
    }

    private static double ReadClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
            var text = getconf.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit();
            return double.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or FormatException)
        {
            return 100; // what Linux uses nearly everywhere
        }
    }
}
