using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Probing;

/// <summary>
/// Who probes a target, and when. Every replica computes the same answers from the same inputs, so the replicas agree
/// without talking to each other beyond knowing who is alive.
/// </summary>
public static class ProbeSlots
{
    /// <summary>
    /// The replica that probes <paramref name="target"/>: rendezvous (highest random weight) hashing over the live
    /// replicas. When a replica joins or leaves, only the targets it gains or held change hands; the rest keep their
    /// prober, so a deploy does not reshuffle the whole fleet.
    /// </summary>
    public static string OwnerOf(TargetId target, IReadOnlyList<string> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        if (members.Count == 0)
        {
            throw new ArgumentException("At least one replica is needed to own a target.", nameof(members));
        }

        var owner = members[0];
        var best = Score(owner, target.Value);
        for (var i = 1; i < members.Count; i++)
        {
            var score = Score(members[i], target.Value);
            if (score > best || (score == best && string.CompareOrdinal(members[i], owner) < 0))
            {
                (owner, best) = (members[i], score);
            }
        }

        return owner;
    }

    /// <summary>
    /// A stable offset within the interval derived from the target id, so targets spread evenly over the interval
    /// (random jitter would re-bunch them on every deploy).
    /// </summary>
    public static TimeSpan PhaseOf(TargetId target, TimeSpan interval) =>
        TimeSpan.FromTicks((long)(Fnv1a(2166136261u, target.Value) % (ulong)Math.Max(1, interval.Ticks)));

    /// <summary>
    /// The first slot at or after <paramref name="now"/> on the target's grid: multiples of the interval from the Unix
    /// epoch, shifted by its phase. The grid is absolute, so a target keeps its rhythm across restarts and when it moves
    /// to another replica: the new owner's first probe falls where the old owner's next one would have.
    /// </summary>
    public static DateTimeOffset NextSlot(TargetId target, TimeSpan interval, DateTimeOffset now)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The probe interval must be positive.");
        }

        var sinceEpoch = (now - DateTimeOffset.UnixEpoch).Ticks;
        var slot = sinceEpoch - (sinceEpoch % interval.Ticks) + PhaseOf(target, interval).Ticks;
        if (slot < sinceEpoch)
        {
            slot += interval.Ticks;
        }

        return DateTimeOffset.UnixEpoch.AddTicks(slot);
    }

    private static uint Fnv1a(uint hash, string value)
    {
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static ulong Fnv1a(ulong hash, string value)
    {
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211ul;
        }

        return hash;
    }

    private static ulong Score(string member, string target)
    {
        // FNV-1a over "member\0target", then a 64-bit finaliser (splitmix64) so nearby inputs spread over the range.
        var hash = Fnv1a(Fnv1a(14695981039346656037ul, member) * 1099511628211ul, target);
        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9ul;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebul;
        return hash ^ (hash >> 31);
    }
}
