using System.ComponentModel.DataAnnotations;

namespace ControlPlane.Service.Leadership;

/// <summary>The "Leadership" section.</summary>
public sealed class LeadershipOptions
{
    public const string SectionName = "Leadership";

    /// <summary>How often a replica tries to become leader, and how often the leader proves it still holds the lock.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan AttemptInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a leader that cannot reach Postgres keeps leading from memory (evaluating breakers, serving its view)
    /// while it tries to re-take the lock. Nothing is committed meanwhile: every commit is fenced on the lock's session.
    /// It steps down at once when Postgres answers and another replica holds the lock, or when this runs out.
    /// Zero: step down at the first failed check.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan OutageGracePeriod { get; set; } = TimeSpan.FromMinutes(5);
}
