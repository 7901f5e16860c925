namespace ControlPlane.Service.Tests.Architecture;

/// <summary>
/// Feature folders of the Service may lean on one another only one way: when two features need one fact, the fact
/// moves down a layer (Core, Contracts, Storage). A cycle between two folders fails here with the types that close it.
/// </summary>
public sealed class FeatureDependencyTests
{
    [Fact]
    public void ServiceFeatures_DependOnEachOtherWithoutCycles()
    {
        var edges = new Dictionary<(string From, string To), List<string>>();
        foreach (var type in ServiceAssembly.Types)
        {
            var from = ServiceAssembly.FeatureOf(type);
            if (from is null)
            {
                continue;
            }

            foreach (var used in ServiceAssembly.Uses(type).Where(t => t.Assembly == ServiceAssembly.Assembly))
            {
                var to = ServiceAssembly.FeatureOf(used);
                if (to is not null && to != from)
                {
                    var key = (from, to);
                    if (!edges.TryGetValue(key, out var why))
                    {
                        edges[key] = why = [];
                    }

                    why.Add($"{Outer(type).Name} -> {Outer(used).Name}");
                }
            }
        }

        var cycles = Cycles(edges.Keys.ToList());

        Assert.True(cycles.Count == 0, string.Join(
            Environment.NewLine,
            cycles.Select(group => "{" + string.Join(", ", group) + "}: " + string.Join("; ", edges
                .Where(e => group.Contains(e.Key.From) && group.Contains(e.Key.To))
                .Select(e => $"{e.Key.From}->{e.Key.To} ({string.Join(", ", e.Value.Distinct().Take(3))})")))));
    }

    [Fact]
    public void Cycles_FindsATwoFeatureLoop() =>
        Assert.Single(Cycles([("Health", "Breakers"), ("Breakers", "Health"), ("Alerts", "Storage")]));

    private static Type Outer(Type type) => type.DeclaringType is null ? type : Outer(type.DeclaringType);

    /// <summary>The strongly connected groups of more than one feature (Tarjan).</summary>
    private static List<List<string>> Cycles(List<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Distinct().ToList());
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var found = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.TryGetValue(to, out var seen))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (stack.Contains(to))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    group.Add(member);
                }
                while (member != node);

                if (group.Count > 1)
                {
                    group.Reverse();
                    found.Add(group);
                }
            }
        }

        foreach (var node in edges.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return found;
    }
}
