using System.ComponentModel.DataAnnotations;
using ControlPlane.Core.Health;

namespace ControlPlane.Service.Health;

/// <summary>The "Health" section: the sliding windows every reader (API, breakers, adaptive probing) sees.</summary>
public sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>Length of the sliding window of statistics; also how far back a starting replica replays samples.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan WindowLength { get; set; } = WindowOptions.Default.Length;

    /// <summary>Weight of one request in a gateway traffic report relative to one probe sample (0 ignores traffic).</summary>
    [Range(0.0, 100.0)]
    public double PassiveWeight { get; set; } = 1.0;
}
