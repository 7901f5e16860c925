using Microsoft.Extensions.Logging;

namespace ControlPlane.Client.Subscription;

/// <summary>
/// The fail-static cache: the last good table, verbatim as signed, in one file, so a restart with the control plane
/// and the broker both away still serves routes. Written atomically (temp file, flush, rename over the old one) so a
/// crash mid-write leaves the previous table, and never backwards: a version no newer than the file's is not written.
/// </summary>
internal sealed class TableCacheFile(string path, ILogger logger)
{
    private readonly Lock _gate = new();
    private long _version;

    /// <summary>
    /// Offers the file's table to <paramref name="store"/> as <see cref="TableSource.Cache"/>. A missing file is no
    /// table; an unreadable, corrupt, unsigned or wrongly signed one is logged and ignored (the store verifies it).
    /// </summary>
    public void LoadInto(RoutingTableStore store)
    {
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            var decision = store.Offer(File.ReadAllBytes(path), TableSource.Cache);
            if (decision.Outcome == ApplyOutcome.Applied)
            {
                Holds(decision.Message!.Version);
                Log.CacheLoaded(logger, decision.Message.Version, path);
            }
            else
            {
                Log.CacheRejected(logger, path, decision.RejectionReason ?? decision.Outcome.ToString(), decision.Detail);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.CacheUnreadable(logger, path, e);
        }
    }

    /// <summary>Records that the file holds <paramref name="version"/>, so no older one overwrites it.</summary>
    private void Holds(long version)
    {
        lock (_gate)
        {
            _version = version;
        }
    }

    /// <returns>True when the file now holds <paramref name="version"/>; false when it held as new a one or the write failed (logged).</returns>
    public bool TryWrite(long version, ReadOnlySpan<byte> json)
    {
        // Under the lock: two sources may apply back to back; the cache must never go backwards.
        lock (_gate)
        {
            if (version <= _version)
            {
                return false;
            }

            var temp = $"{path}.{Environment.ProcessId}.tmp";
            try
            {
                if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
                {
                    Directory.CreateDirectory(directory);
                }

                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    stream.Write(json);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(temp, path, overwrite: true);
                _version = version;
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.CacheWriteFailed(logger, path, e);
                TryDelete(temp);
                return false;
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temp file is harmless.
        }
    }
}
