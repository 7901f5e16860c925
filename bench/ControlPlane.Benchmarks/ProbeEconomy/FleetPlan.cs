using ControlPlane.Core.Catalog;

namespace ControlPlane.Benchmarks.ProbeEconomy;

/// <summary>What goes wrong during an outage, and so what each kind of probe or request sees.</summary>
internal enum OutageKind
{
    /// <summary>The whole API answers 5xx at once: inference and list-models alike.</summary>
    ServerError,

    /// <summary>The whole API answers 529 overloaded at once.</summary>
    Overloaded,

    /// <summary>Connections are accepted and never answered: every probe costs its timeout, requests the gateway's.</summary>
    Hang,

    /// <summary>
    /// Inference answers 529 while list-models still answers 200: what a model-capacity incident looks like. A
    /// <c>models</c> probe cannot see it; only inference probes and real traffic can.
    /// </summary>
    InferenceOnly,
}

/// <summary>One target of the simulated catalog.</summary>
/// <param name="TrafficPerSecond">Gateway requests per second while the table routes to it fully; 0: no traffic.</param>
internal sealed record FleetTarget(int Index, TargetId Id, string ProviderId, ModelFamily Family, double TrafficPerSecond)
{
    public bool HasTraffic => TrafficPerSecond > 0;
}

/// <summary>One injected outage of one target, from <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive).</summary>
internal sealed record Outage(int Number, int Target, OutageKind Kind, TimeSpan Start, TimeSpan Length)
{
    public TimeSpan End => Start + Length;

    public bool ActiveAt(TimeSpan at) => at >= Start && at < End;
}

/// <summary>The shape of a run: the catalog, its traffic and its outages, all drawn from one seed.</summary>
internal sealed record FleetPlan(IReadOnlyList<FleetTarget> Targets, IReadOnlyList<Outage> Outages)
{
    /// <summary>Outages never start before this: the windows are warm and every breaker has settled.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromMinutes(2);

    /// <summary>Two outages of one target are at least this far apart, so one never starts on a breaker the last left open.</summary>
    public static readonly TimeSpan SameTargetGap = TimeSpan.FromMinutes(15);

    public static readonly TimeSpan ShortestOutage = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan LongestOutage = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Targets by family share (deterministic: the same count gives the same mix), traffic on a seeded random
    /// <paramref name="trafficShare"/> of them at a uniform rate in [<paramref name="minRate"/>, <paramref name="maxRate"/>];
    /// outages of uniform length in [30 s, 10 min], each ending before the run does. Kinds take turns, and each run
    /// of four kinds alternates between targets with and without traffic, so every kind hits both groups.
    /// </summary>
    public static FleetPlan Create(int targetCount, double trafficShare, double minRate, double maxRate, int outageCount, TimeSpan duration, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetCount);
        var random = new Random(seed);
        var families = ModelFamilies.All;
        var targets = new List<FleetTarget>(targetCount);
        var perFamily = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < targetCount; i++)
        {
            // Target i takes the family whose cumulative share covers the middle of its slot: the mix follows the shares.
            var point = (i + 0.5) / targetCount;
            var cumulative = 0.0;
            var family = families[^1];
            foreach (var f in families)
            {
                cumulative += f.Share;
                if (point < cumulative)
                {
                    family = f;
                    break;
                }
            }

            var n = perFamily[family.Model] = perFamily.GetValueOrDefault(family.Model) + 1;
            // Several deployments of one model (regions, keys), as real catalogs have.
            var provider = $"{family.Provider}-{(n % 3) + 1}";
            targets.Add(new FleetTarget(i, TargetId.For(provider, $"{family.Model}#{n}"), provider, family, 0));
        }

        var withTraffic = targets.Select(t => t.Index).OrderBy(_ => random.Next()).Take((int)Math.Round(targetCount * trafficShare)).ToHashSet();
        targets = targets.Select(t => withTraffic.Contains(t.Index)
                ? t with { TrafficPerSecond = minRate + (random.NextDouble() * (maxRate - minRate)) }
                : t)
            .ToList();

        var kinds = Enum.GetValues<OutageKind>();
        var trafficTargets = targets.Where(t => t.HasTraffic).Select(t => t.Index).ToList();
        var quietTargets = targets.Where(t => !t.HasTraffic).Select(t => t.Index).ToList();
        var outages = new List<Outage>(outageCount);
        for (var i = 0; i < outageCount; i++)
        {
            var kind = kinds[i % kinds.Length];
            var pool = (i / kinds.Length) % 2 == 0 ? trafficTargets : quietTargets;
            if (pool.Count == 0)
            {
                pool = trafficTargets.Count > 0 ? trafficTargets : quietTargets;
            }

            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var length = ShortestOutage + TimeSpan.FromSeconds(Math.Round(random.NextDouble() * (LongestOutage - ShortestOutage).TotalSeconds));
                var latestStart = duration - length - TimeSpan.FromSeconds(30);
                if (latestStart <= WarmUp)
                {
                    continue;
                }

                var start = WarmUp + TimeSpan.FromSeconds(Math.Round(random.NextDouble() * (latestStart - WarmUp).TotalSeconds, 1));
                var target = pool[random.Next(pool.Count)];
                var candidate = new Outage(i + 1, target, kind, start, length);
                if (outages.All(o => o.Target != target || candidate.Start >= o.End + SameTargetGap || o.Start >= candidate.End + SameTargetGap))
                {
                    outages.Add(candidate);
                    break;
                }
            }
        }

        return new FleetPlan(targets, outages.OrderBy(o => o.Start).ToList());
    }
}
