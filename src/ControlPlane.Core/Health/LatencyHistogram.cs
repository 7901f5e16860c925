namespace ControlPlane.Core.Health;

/// <summary>
/// Fixed log-scale bins shared by every window: bin 0 holds values under 1 ms, bin i (1..72) holds
/// [2^((i-1)/4), 2^(i/4)) ms, the last bin everything from 2^18 ms (~262 s) up.
/// A percentile is reported as the geometric midpoint of its bin, so inside 1 ms–262 s the reported value
/// is within ±9.1% (2^(1/8) − 1) of a value that actually sits at that rank.
/// </summary>
internal static class LatencyHistogram
{
    private const int BinsPerOctave = 4;
    private const int Octaves = 18;

    public const int BinCount = (BinsPerOctave * Octaves) + 2;

    public static int BinOf(TimeSpan value)
    {
        var ms = value.TotalMilliseconds;
        if (!(ms >= 1))
        {
            return 0;
        }

        var bin = (int)Math.Floor(Math.Log2(ms) * BinsPerOctave) + 1;
        return Math.Min(bin, BinCount - 1);
    }

    public static TimeSpan ValueOf(int bin) => bin switch
    {
        0 => TimeSpan.FromMilliseconds(0.5),
        BinCount - 1 => TimeSpan.FromMilliseconds(Math.Pow(2, Octaves)),
        _ => TimeSpan.FromMilliseconds(Math.Pow(2, (bin - 0.5) / BinsPerOctave)),
    };

    /// <summary>Nearest-rank percentile over weighted bins; null when the bins are empty.</summary>
    public static TimeSpan? Percentile(ReadOnlySpan<double> bins, double total, double p)
    {
        if (total <= 0)
        {
            return null;
        }

        var rank = p * total;
        var cumulative = 0.0;
        var lastNonEmpty = -1;
        for (var i = 0; i < bins.Length; i++)
        {
            if (bins[i] <= 0)
            {
                continue;
            }

            lastNonEmpty = i;
            cumulative += bins[i];
            if (cumulative >= rank - 1e-9)
            {
                return ValueOf(i);
            }
        }

        return lastNonEmpty < 0 ? null : ValueOf(lastNonEmpty);
    }
}
