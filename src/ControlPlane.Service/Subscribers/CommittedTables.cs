using System.Collections.Concurrent;
using System.Globalization;
using ControlPlane.Contracts;
using Npgsql;

namespace ControlPlane.Service.Subscribers;

/// <summary>
/// Answers "did this control plane commit that table?" for a subscriber's report: the version must be in the outbox
/// (every committed version is, with the exact signed JSON) and, when the report carries a content hash, the hash must
/// be the one of that JSON. Hashes of committed versions never change, so they are cached.
/// </summary>
public sealed class CommittedTables(NpgsqlDataSource dataSource)
{
    private const int CacheLimit = 4096;
    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
    private readonly ConcurrentDictionary<long, string> _hashes = new();

    /// <summary>Null when the report names a table we committed (or no table); otherwise why it is foreign.</summary>
    public async Task<string?> ForeignReasonAsync(long? version, string? contentHash, CancellationToken cancellationToken)
    {
        if (version is not { } v)
        {
            return null;
        }

        var committed = await HashOfAsync(v, cancellationToken);
        if (committed is null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"version {v} was never committed");
        }

        // An older subscriber (or one written from the protocol doc without the optional field) sends no hash: the
        // version check is all we can do for it.
        return contentHash is null || string.Equals(contentHash, committed, StringComparison.OrdinalIgnoreCase)
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"version {v} with content hash {Short(contentHash)}, committed {Short(committed)}");
    }

    private async Task<string?> HashOfAsync(long version, CancellationToken cancellationToken)
    {
        if (_hashes.TryGetValue(version, out var known))
        {
            return known;
        }

        await using var command = dataSource.CreateCommand("SELECT payload FROM routing_outbox WHERE version = $1");
        command.Parameters.Add(new() { Value = version });
        if (await command.ExecuteScalarAsync(cancellationToken) is not string payload)
        {
            return null; // Not cached: it may be committed a moment later by the leader.
        }

        var hash = CanonicalJson.ContentHash(System.Text.Encoding.UTF8.GetBytes(payload));
        if (_hashes.Count >= CacheLimit)
        {
            _hashes.Clear();
        }

        _hashes[version] = hash;
        return hash;
    }

    // Reports are attacker-influenced text: keep what lands in alerts short and hex-only.
    private static string Short(string hash) =>
        hash.Length >= 12 && !hash.AsSpan(0, 12).ContainsAnyExcept(Hex) ? hash[..12] : "(not a hash)";
}
