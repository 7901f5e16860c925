using System.Collections.Concurrent;
using ControlPlane.Core.Catalog;

namespace ControlPlane.Service.Probing.Clients;

/// <summary>
/// Reads a provider's API key at use time from the environment variable or file its <see cref="ApiKeySource"/> names.
/// File contents are cached briefly so a rotated Kubernetes secret is picked up within <see cref="FileCacheTtl"/>
/// without a read per request. The key is returned to the auth handler and nowhere else: never logged, never in an
/// exception message, a sample or a metric.
/// </summary>
public sealed class ProviderKeyResolver
{
    public static readonly TimeSpan FileCacheTtl = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, CachedKey> _files = new(StringComparer.Ordinal);

    public ProviderKeyResolver(TimeProvider time) => _time = time;

    /// <summary>The provider's key; null when it has none configured (a keyless openai-compatible server).</summary>
    /// <exception cref="ProviderKeyUnavailableException">A key source is configured but holds no usable key.</exception>
    public string? Resolve(ProviderDefinition provider)
    {
        var source = provider.ApiKey;
        if (source is null)
        {
            return null;
        }

        var key = source.EnvironmentVariable is { } variable
            ? Environment.GetEnvironmentVariable(variable)
            : ReadFile(source.FilePath!);

        key = key?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            throw new ProviderKeyUnavailableException(provider.Id, source, "is empty or missing");
        }

        // A key with control characters would fail header validation with the value in the message.
        if (key.Any(char.IsControl))
        {
            throw new ProviderKeyUnavailableException(provider.Id, source, "contains control characters");
        }

        return key;
    }

    private string? ReadFile(string path)
    {
        var now = _time.GetTimestamp();
        if (_files.TryGetValue(path, out var cached) && _time.GetElapsedTime(cached.ReadAt, now) < FileCacheTtl)
        {
            return cached.Key;
        }

        string? key;
        try
        {
            key = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            key = null;
        }

        _files[path] = new CachedKey(key, now);
        return key;
    }

    private sealed record CachedKey(string? Key, long ReadAt);
}

/// <summary>A configured key source holds no usable key. The message names the source, never a value.</summary>
public sealed class ProviderKeyUnavailableException : Exception
{
    public ProviderKeyUnavailableException()
    {
    }

    public ProviderKeyUnavailableException(string message)
        : base(message)
    {
    }

    public ProviderKeyUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ProviderKeyUnavailableException(string providerId, ApiKeySource source, string problem)
        : base($"API key of provider '{providerId}' from {source} {problem}.")
    {
        ProviderId = providerId;
    }

    public string? ProviderId { get; }
}
