using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Probing;

/// <summary>What adaptive probing would like for one target before a provider's budget is applied.</summary>
/// <param name="Urgent">Suspect or HalfOpen: served first when the budget binds.</param>
public readonly record struct ProbeDemand(TargetId Target, TimeSpan Interval, bool Urgent);

/// <summary>The intervals a provider's targets get under its budget.</summary>
/// <param name="Intervals">Every demanded target's interval: its demand when the budget does not bind, else stretched.</param>
/// <param name="Binding">The demand exceeded the budget, so some intervals were stretched.</param>
/// <param name="DemandPerMinute">Probes per minute the demands add up to.</param>
/// <param name="AllocatedPerMinute">Probes per minute the allocated intervals add up to (at most the budget).</param>
public sealed record ProbeAllocation(
    IReadOnlyDictionary<TargetId, TimeSpan> Intervals, bool Binding, double DemandPerMinute, double AllocatedPerMinute);

/// <summary>
/// A provider's probe budget (probes per minute over all its targets, fleet-wide) turned into intervals. Each target is
/// probed by exactly one replica, so intervals whose rates add up to the budget keep the whole fleet within it.
/// When the demand exceeds the budget, suspect and HalfOpen targets are served first, from up to
/// <see cref="UrgentShare"/> of the budget (the rest must keep every other target probed, however slowly); the
/// remainder is shared max-min fairly among the other targets: slow targets keep their interval, and the fastest are
/// stretched to one common interval.
/// </summary>
public static class ProbeBudget
{
    /// <summary>The most of a binding budget that urgent targets take while other targets need probing too.</summary>
    public const double UrgentShare = 0.75;

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    public static ProbeAllocation Allocate(int budgetPerMinute, IReadOnlyList<ProbeDemand> demands)
    {
        ArgumentNullException.ThrowIfNull(demands);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budgetPerMinute);

        var demand = 0.0;
        foreach (var d in demands)
        {
            demand += RateOf(d.Interval);
        }

        var intervals = new Dictionary<TargetId, TimeSpan>(demands.Count);
        if (demand <= budgetPerMinute)
        {
            foreach (var d in demands)
            {
                intervals[d.Target] = d.Interval;
            }

            return new ProbeAllocation(intervals, Binding: false, demand, demand);
        }

        var urgent = demands.Where(d => d.Urgent).ToList();
        var normal = demands.Where(d => !d.Urgent).ToList();
        var urgentUsed = Fill(urgent, normal.Count > 0 ? budgetPerMinute * UrgentShare : budgetPerMinute, intervals);
        var normalUsed = Fill(normal, budgetPerMinute - urgentUsed, intervals);
        return new ProbeAllocation(intervals, Binding: true, demand, urgentUsed + normalUsed);
    }

    /// <summary>Probes per minute at <paramref name="interval"/>.</summary>
    public static double RateOf(TimeSpan interval) => Minute / interval;

    /// <summary>
    /// Max-min fair water-filling of <paramref name="capacity"/> probes per minute: ascending by rate, each target keeps
    /// its own rate while that is below an equal share of what is left, and the rest get the equal share.
    /// </summary>
    private static double Fill(List<ProbeDemand> demands, double capacity, Dictionary<TargetId, TimeSpan> intervals)
    {
        demands.Sort((a, b) => b.Interval.CompareTo(a.Interval));
        var remaining = capacity;
        var used = 0.0;
        for (var i = 0; i < demands.Count; i++)
        {
            var rate = RateOf(demands[i].Interval);
            var share = remaining / (demands.Count - i);
            if (rate <= share)
            {
                intervals[demands[i].Target] = demands[i].Interval;
                remaining -= rate;
                used += rate;
                continue;
            }

            // Whole milliseconds, rounded up, so rounding never takes the sum over the budget.
            var stretched = TimeSpan.FromMilliseconds(Math.Ceiling(Minute.TotalMilliseconds / share));
            for (var j = i; j < demands.Count; j++)
            {
                intervals[demands[j].Target] = stretched;
                used += RateOf(stretched);
            }

            break;
        }

        return used;
    }
}
