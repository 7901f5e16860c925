namespace ControlPlane.Gateway.Caching;

/// <summary>An answer as the client received it: the body's bytes (an event stream's included) and its content type.</summary>
internal sealed record CachedAnswer(byte[] Body, string ContentType, bool Streamed, DateTimeOffset StoredAt)
{
    /// <summary>What an entry costs beyond its body: key, list node, record and dictionary slot, roughly.</summary>
    public const int Overhead = 256;

    public long Size => Body.Length + (ContentType.Length * 2L) + Overhead;
}

/// <summary>
/// The gateway's cached answers, bounded by bytes: least recently used entries go first when a new one does not fit.
/// Entries carry the instant they were stored, not an expiry: the route's TTL at lookup decides, so a shorter TTL in a
/// new table applies at once to what is already held. Thread-safe; every operation is O(1) under one short lock.
/// </summary>
internal sealed class ResponseCacheStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, CachedAnswer Answer)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, CachedAnswer Answer)> _recency = new(); // most recently used first
    private readonly TimeProvider _time;
    private long _bytes;

    public ResponseCacheStore(long maxBytes, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        ArgumentNullException.ThrowIfNull(time);
        MaxBytes = maxBytes;
        _time = time;
    }

    public long MaxBytes { get; }

    /// <summary>Bytes held (bodies plus <see cref="CachedAnswer.Overhead"/> per entry).</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The entry stored under <paramref name="key"/> less than <paramref name="ttl"/> ago, or null (an older one is dropped).</summary>
    public CachedAnswer? Find(string key, TimeSpan ttl)
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var node))
            {
                return null;
            }

            if (now - node.Value.Answer.StoredAt >= ttl)
            {
                Remove(node);
                return null;
            }

            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Answer;
        }
    }

    /// <summary>Stores (or replaces) an answer, evicting the least recently used until it fits.</summary>
    /// <returns>The stored entry, or null when the answer alone is larger than the whole bound.</returns>
    public CachedAnswer? Store(string key, byte[] body, string contentType, bool streamed)
    {
        var answer = new CachedAnswer(body, contentType, streamed, _time.GetUtcNow());
        if (answer.Size > MaxBytes)
        {
            return null;
        }

        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                Remove(existing);
            }

            while (_bytes + answer.Size > MaxBytes && _recency.Last is { } oldest)
            {
                Remove(oldest);
            }

            _entries[key] = _recency.AddFirst((key, answer));
            _bytes += answer.Size;
            return answer;
        }
    }

    private void Remove(LinkedListNode<(string Key, CachedAnswer Answer)> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
        _bytes -= node.Value.Answer.Size;
    }
}
