using ControlPlane.Testing;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ControlPlane.Service.Tests.Integration.Observability;

internal enum QueryLanguage
{
    PromQl,
    Sql,
}

/// <summary>One query of a dashboard (panel target, annotation or variable) or of an alert rule, ready to run.</summary>
/// <param name="Source">Where it comes from, for failure messages: "controlplane-uptime.json / Breaker state per target / A".</param>
/// <param name="Text">The query with Grafana variables and macros replaced by values a test can run.</param>
internal sealed record CheckedQuery(string Source, QueryLanguage Language, string Text)
{
}

/// <summary>
/// Finds every query in the Grafana dashboards and turns alert rules into checkable queries. Grafana's own
/// substitutions are emulated: <c>$__rate_interval</c> and friends become a window longer than the test run (so
/// every sample the stack produced counts), "All" variables become their allValue, text boxes their default, and the
/// SQL macros the boards use become plain SQL over the last hour.
/// </summary>
internal static partial class DashboardQueries
{
    private const string Window = "5m";

    public static IReadOnlyList<CheckedQuery> FromDashboards(string directory)
    {
        var queries = new List<CheckedQuery>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            var root = document.RootElement;
            var name = Path.GetFileName(file);
            var variables = Variables(root);

            foreach (var panel in Panels(root))
            {
                var title = panel.TryGetProperty("title", out var t) ? t.GetString() : "(untitled)";
                if (!panel.TryGetProperty("targets", out var targets))
                {
                    continue;
                }

                foreach (var target in targets.EnumerateArray())
                {
                    var refId = target.TryGetProperty("refId", out var r) ? r.GetString() : "?";
                    if (Query(target, variables) is { } query)
                    {
                        queries.Add(query with { Source = $"{name} / {title} / {refId}" });
                    }
                }
            }

            if (root.TryGetProperty("annotations", out var annotations))
            {
                foreach (var annotation in annotations.GetProperty("list").EnumerateArray())
                {
                    if (annotation.TryGetProperty("target", out var target) && Query(target, variables) is { } query)
                    {
                        queries.Add(query with { Source = $"{name} / annotation {annotation.GetProperty("name").GetString()}" });
                    }
                }
            }

            // label_values(metric, label) variables: the metric must exist and carry the label.
            foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
            {
                if (variable.GetProperty("type").GetString() == "query"
                    && variable.TryGetProperty("definition", out var definition)
                    && LabelValues().Match(definition.GetString()!) is { Success: true } match)
                {
                    queries.Add(new CheckedQuery(
                        $"{name} / variable {variable.GetProperty("name").GetString()}",
                        QueryLanguage.PromQl,
                        $"count by ({match.Groups["label"].Value}) ({match.Groups["metric"].Value})"));
                }
            }
        }

        return queries;
    }

    /// <summary>
    /// The part of an alert expression that must return series while nothing is wrong: the left-hand side of a
    /// trailing threshold comparison (<c>up{…} == 0</c> → <c>up{…}</c>), or the argument of <c>absent(…)</c>.
    /// The rules file is written so that every rule has one of these two shapes (see its header).
    /// </summary>
    public static string WithoutThreshold(string expression)
    {
        var text = expression.Trim();
        if (AbsentCall().Match(text) is { Success: true } absent)
        {
            return absent.Groups["inner"].Value.Trim();
        }

        return TrailingComparison().Match(text) is { Success: true } comparison
            ? comparison.Groups["query"].Value.Trim()
            : throw new FormatException($"Alert expression is neither '<query> <op> <number>' nor 'absent(<query>)': {expression}");
    }

    private static CheckedQuery? Query(JsonElement target, IReadOnlyDictionary<string, string> variables)
    {
        if (target.TryGetProperty("expr", out var expr) && expr.GetString() is { Length: > 0 } promql)
        {
            return new CheckedQuery("", QueryLanguage.PromQl, Substitute(promql, variables));
        }

        if (target.TryGetProperty("rawSql", out var rawSql) && rawSql.GetString() is { Length: > 0 } sql)
        {
            return new CheckedQuery("", QueryLanguage.Sql, SqlMacros(Substitute(sql, variables)));
        }

        return null;
    }

    /// <summary>Panels, including those nested in collapsed rows.</summary>
    private static IEnumerable<JsonElement> Panels(JsonElement root)
    {
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>What Grafana would put in place of each variable with the dashboard's defaults.</summary>
    private static Dictionary<string, string> Variables(JsonElement root)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["__rate_interval"] = Window,
            ["__interval"] = Window,
            ["__range"] = Window,
        };
        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            var name = variable.GetProperty("name").GetString()!;
            switch (variable.GetProperty("type").GetString())
            {
                case "query" when variable.TryGetProperty("allValue", out var all):
                    values[name] = all.GetString()!;
                    break;
                case "textbox" or "constant" or "custom":
                    values[name] = variable.GetProperty("query").GetString()!;
                    break;
                default:
                    break; // datasource variables only appear in datasource references, not in query text
            }
        }

        return values;
    }

    private static string Substitute(string text, IReadOnlyDictionary<string, string> variables)
    {
        foreach (var (name, value) in variables.OrderByDescending(v => v.Key.Length))
        {
            text = text.Replace("${" + name + "}", value, StringComparison.Ordinal)
                .Replace("$" + name, value, StringComparison.Ordinal);
        }

        return text;
    }

    private static string SqlMacros(string sql)
    {
        sql = TimeFilter().Replace(sql, m => $"{m.Groups["column"].Value} BETWEEN now() - interval '1 hour' AND now()");
        sql = TimeGroupAlias().Replace(sql, m =>
        {
            var seconds = Seconds(m.Groups["interval"].Value);
            return $"to_timestamp(floor(extract(epoch FROM {m.Groups["column"].Value}) / {seconds}) * {seconds}) AS \"time\"";
        });
        sql = sql.Replace("$__timeFrom()", "(now() - interval '1 hour')", StringComparison.Ordinal)
            .Replace("$__timeTo()", "now()", StringComparison.Ordinal);
        return sql.Contains("$__", StringComparison.Ordinal)
            ? throw new FormatException($"The check does not know a Grafana SQL macro in: {sql}")
            : sql;
    }

    private static int Seconds(string interval)
    {
        var number = int.Parse(interval[..^1], CultureInfo.InvariantCulture);
        return interval[^1] switch
        {
            's' => number,
            'm' => number * 60,
            'h' => number * 3600,
            'd' => number * 86400,
            _ => throw new FormatException($"Unknown interval {interval}"),
        };
    }

    [GeneratedRegex(@"^label_values\(\s*(?<metric>[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?)\s*,\s*(?<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"^absent\((?<inner>.*)\)$", RegexOptions.Singleline)]
    private static partial Regex AbsentCall();

    [GeneratedRegex(@"^(?<query>.*?)\s*(==|!=|>=|<=|>|<)\s*(bool\s+)?-?[0-9.]+(e[+-]?[0-9]+)?$", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex TrailingComparison();

    [GeneratedRegex(@"\$__timeFilter\((?<column>[^)]+)\)")]
    private static partial Regex TimeFilter();

    [GeneratedRegex(@"\$__timeGroupAlias\((?<column>[^,]+),\s*'?(?<interval>[0-9]+[smhd])'?\)")]
    private static partial Regex TimeGroupAlias();
}
