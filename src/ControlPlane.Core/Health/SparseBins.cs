namespace ControlPlane.Core.Health;

/// <summary>
/// Weighted histogram bins stored sparsely: a probed bucket usually holds one or two distinct bins, so a dense
/// array of every bin would be mostly zeros for the 10,000-target case.
/// </summary>
internal sealed class SparseBins
{
    private byte[] _bins = new byte[2];
    private float[] _weights = new float[2];
    private int _count;

    public void Add(int bin, float weight)
    {
        for (var i = 0; i < _count; i++)
        {
            if (_bins[i] == bin)
            {
                _weights[i] += weight;
                return;
            }
        }

        if (_count == _bins.Length)
        {
            Array.Resize(ref _bins, _count * 2);
            Array.Resize(ref _weights, _count * 2);
        }

        _bins[_count] = (byte)bin;
        _weights[_count] = weight;
        _count++;
    }

    public void Clear() => _count = 0;

    /// <summary>Adds these bins into a dense array; returns the total weight added.</summary>
    public double AddTo(double[] dense)
    {
        var total = 0.0;
        for (var i = 0; i < _count; i++)
        {
            dense[_bins[i]] += _weights[i];
            total += _weights[i];
        }

        return total;
    }
}
