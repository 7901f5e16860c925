using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Service.Subscribers;

/// <summary>The "Subscribers" section: how the control plane judges the fleet of routing-table subscribers.</summary>
public sealed class SubscriberOptions
{
    public const string SectionName = "Subscribers";

    /// <summary>A subscriber silent for longer than this is no longer counted as live.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LiveWindow { get; set; } = TimeSpan.FromSeconds(35);
}
