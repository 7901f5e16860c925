using System.Security.Cryptography;
using ControlPlane.Contracts;
using Microsoft.Extensions.Options;

namespace ControlPlane.Client;

/// <summary>Settings of the ControlPlane client, bound from the <c>ControlPlaneClient</c> configuration section.</summary>
public sealed class ControlPlaneClientOptions
{
    /// <summary>The configuration section bound by default.</summary>
    public const string SectionName = "ControlPlaneClient";

    /// <summary>Base URL of the control plane (http or https); the snapshot is <c>GET {url}/api/routing-table</c>.</summary>
    public string? ControlPlaneUrl { get; set; }

    /// <summary>RabbitMQ URI, <c>amqp://user:pass@host:5672/vhost</c> (or <c>amqps://</c>).</summary>
    public string? RabbitMqUri { get; set; }

    /// <summary>
    /// Default <see cref="SubscriberId"/>: the host name plus a random suffix drawn once per process, so every options
    /// instance of the process agrees and a restarted process shows up as a new subscriber.
    /// </summary>
    public static string DefaultSubscriberId { get; } = $"{Environment.MachineName.ToLowerInvariant()}-{RandomNumberGenerator.GetHexString(6, lowercase: true)}";

    /// <summary>
    /// Id of this instance in status reports. Default: <see cref="DefaultSubscriberId"/>. Set it explicitly when one
    /// process hosts several clients.
    /// </summary>
    public string SubscriberId { get; set; } = DefaultSubscriberId;

    /// <summary>Kind in status reports: <c>sdk</c> (default), <c>gateway</c>, or your own label.</summary>
    public string Kind { get; set; } = SubscriberKinds.Sdk;

    /// <summary>Trusted signing keys: key id → SubjectPublicKeyInfo PEM text, or the path of a PEM file.</summary>
    public Dictionary<string, string> TrustedKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Where to persist the last good table (written atomically); null disables the cache.</summary>
    public string? CacheFile { get; set; }

    /// <summary>Interval of the periodic status report (reports are also sent on every apply and rejection).</summary>
    public TimeSpan StatusReportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one snapshot request.</summary>
    public TimeSpan SnapshotTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// First delay before retrying the broker or the snapshot; doubles on each failure up to
    /// <see cref="MaxReconnectDelay"/>. Each wait is jittered between half and all of its step (the one backoff rule of
    /// the project, <see cref="DeliveryBackoff"/>), so a fleet of subscribers does not reconnect in step.
    /// </summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the retry delay.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Trusted keys as PEM text, reading the ones given as file paths.</summary>
    /// <exception cref="IOException">A key file cannot be read.</exception>
    public IReadOnlyDictionary<string, string> ResolveTrustedKeyPems() =>
        TrustedKeys.ToDictionary(
            kv => kv.Key,
            kv => kv.Value.Contains("-----BEGIN", StringComparison.Ordinal) ? kv.Value : File.ReadAllText(kv.Value),
            StringComparer.Ordinal);
}

/// <summary>Validates <see cref="ControlPlaneClientOptions"/>, listing every problem at once.</summary>
internal sealed class ControlPlaneClientOptionsValidator : IValidateOptions<ControlPlaneClientOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlPlaneClientOptions options)
    {
        var failures = new List<string>();
        const string S = ControlPlaneClientOptions.SectionName;

        if (!Uri.TryCreate(options.ControlPlaneUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{S}:ControlPlaneUrl must be an absolute http(s) URL (got '{options.ControlPlaneUrl}').");
        }

        if (!Uri.TryCreate(options.RabbitMqUri, UriKind.Absolute, out var amqp) || (amqp.Scheme != "amqp" && amqp.Scheme != "amqps"))
        {
            failures.Add($"{S}:RabbitMqUri must be an absolute amqp:// or amqps:// URI.");
        }

        if (string.IsNullOrWhiteSpace(options.SubscriberId))
        {
            failures.Add($"{S}:SubscriberId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Kind))
        {
            failures.Add($"{S}:Kind must not be empty.");
        }

        if (options.TrustedKeys.Count == 0)
        {
            failures.Add($"{S}:TrustedKeys must name at least one key id with its public key PEM (text or file path).");
        }

        foreach (var (keyId, value) in options.TrustedKeys)
        {
            try
            {
                var pem = value.Contains("-----BEGIN", StringComparison.Ordinal) ? value : File.ReadAllText(value);
                using var key = SigningKeys.LoadPublicKeyPem(pem);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                failures.Add($"{S}:TrustedKeys:{keyId} is not a usable P-256 public key: {e.Message}");
            }
        }

        if (options.CacheFile is not null && string.IsNullOrWhiteSpace(options.CacheFile))
        {
            failures.Add($"{S}:CacheFile must be a path or null.");
        }

        CheckPositive(options.StatusReportInterval, "StatusReportInterval", failures);
        CheckPositive(options.SnapshotTimeout, "SnapshotTimeout", failures);
        CheckPositive(options.ReconnectDelay, "ReconnectDelay", failures);
        if (options.MaxReconnectDelay < options.ReconnectDelay)
        {
            failures.Add($"{S}:MaxReconnectDelay must be at least ReconnectDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPositive(TimeSpan value, string name, List<string> failures)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{ControlPlaneClientOptions.SectionName}:{name} must be positive (got {value}).");
        }
    }
}
