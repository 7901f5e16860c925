namespace ControlPlane.Gateway.Caching;

/// <summary>
/// "Gateway:ResponseCache": this gateway's memory for routes whose table entry enables a cache (the catalog decides
/// which routes cache and for how long; how much memory that may take is each gateway's own business).
/// </summary>
public sealed class ResponseCacheOptions
{
    /// <summary>Bound on all cached answers together, in bytes; 0 turns caching off on this gateway.</summary>
    public long MaxBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Largest single answer kept, in bytes; a larger one is relayed without a copy.</summary>
    public int MaxEntryBytes { get; set; } = 1024 * 1024;

    /// <summary>Every problem with these values, for the gateway's options validator.</summary>
    internal IEnumerable<string> Problems(string section)
    {
        if (MaxBytes < 0)
        {
            yield return $"{section}:MaxBytes must be 0 (off) or more (got {MaxBytes}).";
        }

        if (MaxEntryBytes < 1)
        {
            yield return $"{section}:MaxEntryBytes must be at least 1 (got {MaxEntryBytes}).";
        }
        else if (MaxBytes > 0 && MaxEntryBytes > MaxBytes)
        {
            yield return $"{section}:MaxEntryBytes ({MaxEntryBytes}) must not exceed MaxBytes ({MaxBytes}).";
        }
    }
}
