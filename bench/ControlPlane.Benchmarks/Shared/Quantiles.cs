namespace ControlPlane.Benchmarks.Shared;

/// <summary>Nearest-rank quantiles of measured values (no interpolation: every figure is a value that occurred).</summary>
internal static class Quantiles
{
    public static double Of(IReadOnlyCollection<double> values, double q)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
