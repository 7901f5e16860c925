using System.Globalization;

namespace ControlPlane.Testing;

/// <summary>One sample line of the Prometheus text exposition format.</summary>
public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A small reader for what <c>/metrics</c> serves (the text exposition format), enough for tests and benchmarks to
/// sum counters and read histograms without a Prometheus server.
/// </summary>
public sealed class PrometheusText
{
    private PrometheusText(IReadOnlyList<MetricSample> samples) => Samples = samples;

    public IReadOnlyList<MetricSample> Samples { get; }

    public static async Task<PrometheusText> ScrapeAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        var text = await http.GetStringAsync(new Uri(baseUrl, "metrics"), cancellationToken);
        return Parse(text);
    }

    public static PrometheusText Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<MetricSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            string name;
            string rest;
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (brace >= 0 && (space < 0 || brace < space))
            {
                name = line[..brace];
                var close = ParseLabels(line, brace + 1, labels);
                rest = line[(close + 1)..].Trim();
            }
            else
            {
                name = line[..space];
                rest = line[(space + 1)..].Trim();
            }

            var valueText = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
            var value = valueText switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new MetricSample(name, labels, value));
        }

        return new PrometheusText(samples);
    }

    /// <summary>Sum of every series of <paramref name="name"/> whose labels pass <paramref name="filter"/>.</summary>
    public double Sum(string name, Func<IReadOnlyDictionary<string, string>, bool>? filter = null) =>
        Samples.Where(s => s.Name == name && (filter is null || filter(s.Labels))).Sum(s => s.Value);

    /// <summary>Cumulative histogram buckets (upper bound, count) of <paramref name="name"/>, summed over its label sets.</summary>
    public IReadOnlyList<(double UpperBound, double Count)> Buckets(string name) =>
        Samples.Where(s => s.Name == name + "_bucket" && s.Labels.ContainsKey("le"))
            .GroupBy(s => ParseBound(s.Labels["le"]))
            .Select(g => (UpperBound: g.Key, Count: g.Sum(s => s.Value)))
            .OrderBy(b => b.UpperBound)
            .ToList();

    /// <summary>
    /// The q-quantile of a histogram, interpolated linearly inside the bucket it falls in (as PromQL's
    /// histogram_quantile does). Pass the difference of two scrapes to get the quantile over a window.
    /// </summary>
    public static double? Quantile(IReadOnlyList<(double UpperBound, double Count)> buckets, double q)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        if (buckets.Count == 0 || buckets[^1].Count <= 0)
        {
            return null;
        }

        var rank = q * buckets[^1].Count;
        var lowerBound = 0.0;
        var lowerCount = 0.0;
        foreach (var (upper, count) in buckets)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(upper))
                {
                    return lowerBound; // beyond the last finite bucket: the best we can say
                }

                var inBucket = count - lowerCount;
                return inBucket <= 0 ? upper : lowerBound + ((upper - lowerBound) * (rank - lowerCount) / inBucket);
            }

            lowerBound = upper;
            lowerCount = count;
        }

        return lowerBound;
    }

    /// <summary>Bucket-wise <paramref name="after"/> minus <paramref name="before"/> (same bucket bounds).</summary>
    public static IReadOnlyList<(double UpperBound, double Count)> Delta(
        IReadOnlyList<(double UpperBound, double Count)> before, IReadOnlyList<(double UpperBound, double Count)> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var earlier = before.ToDictionary(b => b.UpperBound, b => b.Count);
        return after.Select(b => (b.UpperBound, b.Count - earlier.GetValueOrDefault(b.UpperBound))).ToList();
    }

    private static double ParseBound(string le) =>
        le == "+Inf" ? double.PositiveInfinity : double.Parse(le, NumberStyles.Float, CultureInfo.InvariantCulture);

    // name="value",name2="va\"lue" … returns the index of the closing brace.
    private static int ParseLabels(string line, int i, Dictionary<string, string> labels)
    {
        while (i < line.Length && line[i] != '}')
        {
            var eq = line.IndexOf('=', i);
            var key = line[i..eq].Trim().TrimStart(',').Trim();
            i = eq + 2; // skip ="
            var value = new System.Text.StringBuilder();
            while (line[i] != '"')
            {
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            labels[key] = value.ToString();
            i++; // closing quote
            while (i < line.Length && line[i] is ',' or ' ')
            {
                i++;
            }
        }

        return i;
    }
}
