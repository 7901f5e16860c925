namespace ControlPlane.Core.Health;

/// <summary>Shape of a target's sliding window.</summary>
/// <param name="Length">How far back the statistics look.</param>
/// <param name="BucketWidth">
/// Time granularity: the window is a ring of <c>Length / BucketWidth</c> buckets, so a snapshot covers
/// the last <paramref name="Length"/> to within one bucket width.
/// </param>
/// <param name="PassiveWeight">Weight given to a gateway traffic report's counts relative to one probe sample.</param>
public sealed record WindowOptions(TimeSpan Length, TimeSpan BucketWidth, double PassiveWeight = 1.0)
{
    public static WindowOptions Default { get; } = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));

    internal int BucketCount => (int)Math.Ceiling(Length.Ticks / (double)BucketWidth.Ticks);

    internal void Validate()
    {
        if (Length <= TimeSpan.Zero || BucketWidth <= TimeSpan.Zero || BucketWidth > Length)
        {
            throw new ArgumentException($"Window length ({Length}) and bucket width ({BucketWidth}) must be positive, bucket ≤ length.");
        }

        if (PassiveWeight < 0 || double.IsNaN(PassiveWeight))
        {
            throw new ArgumentException($"PassiveWeight must be ≥ 0 (was {PassiveWeight}).");
        }
    }
}
