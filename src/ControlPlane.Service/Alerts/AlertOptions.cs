using System.Text.RegularExpressions;
using ControlPlane.Core.Alerts;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Alerts;

public enum AlertSinkType
{
    /// <summary>Generic JSON POST signed the Standard Webhooks way.</summary>
    Webhook,

    /// <summary>A Slack incoming webhook; the secret is the webhook URL itself.</summary>
    Slack,

    /// <summary>PagerDuty Events API v2; the secret is the integration's routing key.</summary>
    PagerDuty,
}

/// <summary>The "Alerts" section: what becomes an alert, how it is grouped, and where it is delivered.</summary>
public sealed class AlertOptions
{
    public const string SectionName = "Alerts";

    /// <summary>At most one trigger per alert key in any period this long (flapping suppression).</summary>
    public TimeSpan FlapPeriod { get; set; } = AlertSettings.Default.FlapPeriod;

    /// <summary>A per-model alert must hold this long before it is sent, so a provider incident can absorb it.</summary>
    public TimeSpan GroupWait { get; set; } = AlertSettings.Default.GroupWait;

    /// <summary>Probes count as stalled after this many probe intervals without a sample.</summary>
    public int ProbeStallIntervals { get; set; } = AlertConditions.DefaultStallIntervals;

    /// <summary>A live subscriber still behind a version published this long ago is stale.</summary>
    public TimeSpan SubscriberStaleAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the stale-subscriber check reads the fleet.</summary>
    public TimeSpan SubscriberCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay after a failed delivery; doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A delivery still failing this long after the alert is given up (status "failed").</summary>
    public TimeSpan MaxDeliveryAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an idle sender looks for work it was not woken for (alerts committed by another replica's test-fire).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Sinks by name; the name appears in the API, the metrics and the delivery history.</summary>
    public Dictionary<string, AlertSinkOptions> Sinks { get; set; } = new(StringComparer.Ordinal);

    public AlertSettings ToSettings() => new(FlapPeriod, GroupWait);
}

public sealed class AlertSinkOptions
{
    public AlertSinkType? Type { get; set; }

    /// <summary>Where to POST. Webhook: required. PagerDuty: defaults to the public Events v2 endpoint. Slack: the secret is the URL.</summary>
    public Uri? Url { get; set; }

    /// <summary>
    /// Environment variable holding the secret: webhook signing secrets (<c>whsec_…</c>, several space-separated while
    /// rotating), the Slack webhook URL, or the PagerDuty routing key.
    /// </summary>
    public string? SecretEnv { get; set; }

    /// <summary>File holding the secret (a mounted Kubernetes Secret). Set this or <see cref="SecretEnv"/>.</summary>
    public string? SecretFile { get; set; }

    public AlertSeverity MinimumSeverity { get; set; } = AlertSeverity.Warning;

    /// <summary>Only alerts about these providers (or <see cref="Routes"/>); empty means all.</summary>
    public List<string> Providers { get; set; } = [];

    public List<string> Routes { get; set; } = [];

    /// <summary>Only these kinds (e.g. "incident", "panic", "open"); empty means all.</summary>
    public List<string> Kinds { get; set; } = [];

    /// <summary>Sends per second; defaults per type (PagerDuty ~120/min, Slack 1/s).</summary>
    public double? RatePerSecond { get; set; }

    public double? Burst { get; set; }
}

internal sealed partial class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        var errors = new List<string>();
        foreach (var (field, value) in new[]
        {
            ("FlapPeriod", options.FlapPeriod), ("SubscriberStaleAfter", options.SubscriberStaleAfter),
            ("SubscriberCheckInterval", options.SubscriberCheckInterval), ("RetryBaseDelay", options.RetryBaseDelay),
            ("MaxRetryDelay", options.MaxRetryDelay), ("MaxDeliveryAge", options.MaxDeliveryAge),
            ("RequestTimeout", options.RequestTimeout), ("PollInterval", options.PollInterval),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"Alerts:{field} must be greater than zero.");
            }
        }

        if (options.GroupWait < TimeSpan.Zero)
        {
            errors.Add("Alerts:GroupWait must not be negative.");
        }

        if (options.ProbeStallIntervals < 1)
        {
            errors.Add("Alerts:ProbeStallIntervals must be at least 1.");
        }

        foreach (var (sinkName, sink) in options.Sinks)
        {
            errors.AddRange(ValidateSink(sinkName, sink));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static IEnumerable<string> ValidateSink(string name, AlertSinkOptions sink)
    {
        var prefix = $"Alerts:Sinks:{name}";
        if (!SinkName().IsMatch(name))
        {
            yield return $"{prefix}: sink names use letters, digits, '-' and '_' only.";
        }

        if (sink.Type is null)
        {
            yield return $"{prefix}:Type is required (Webhook, Slack or PagerDuty).";
            yield break;
        }

        if (sink.Type == AlertSinkType.Webhook && sink.Url is null)
        {
            yield return $"{prefix}:Url is required for a webhook sink.";
        }

        if (sink.Url is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            yield return $"{prefix}:Url must be an absolute http(s) URL.";
        }

        foreach (var kind in sink.Kinds)
        {
            if (!AlertKinds.TryParse(kind, out _))
            {
                yield return $"{prefix}:Kinds: unknown kind '{kind}'.";
            }
        }

        if (sink.RatePerSecond is <= 0 || sink.Burst is < 1)
        {
            yield return $"{prefix}: RatePerSecond must be positive and Burst at least 1.";
        }

        var (secret, problem) = AlertSecrets.Read(sink);
        if (problem is not null)
        {
            yield return $"{prefix}: {problem}";
            yield break;
        }

        var invalid = sink.Type switch
        {
            AlertSinkType.Webhook => StandardWebhookSigner.ValidateSecrets(secret!),
            AlertSinkType.Slack => Uri.TryCreate(secret, UriKind.Absolute, out var hook) && hook.Scheme is "https" or "http"
                ? null
                : "the secret must be the Slack incoming webhook URL",
            _ => secret!.Any(char.IsWhiteSpace) ? "the PagerDuty routing key must not contain whitespace" : null,
        };
        if (invalid is not null)
        {
            yield return $"{prefix}: {invalid} (from {AlertSecrets.Describe(sink)}).";
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex SinkName();
}

/// <summary>Reads a sink's secret from its environment variable or file. Messages name the source, never the value.</summary>
internal static class AlertSecrets
{
    public static (string? Secret, string? Problem) Read(AlertSinkOptions sink)
    {
        var hasEnv = !string.IsNullOrWhiteSpace(sink.SecretEnv);
        var hasFile = !string.IsNullOrWhiteSpace(sink.SecretFile);
        if (hasEnv == hasFile)
        {
            return (null, "set exactly one of SecretEnv or SecretFile");
        }

        string? value;
        if (hasEnv)
        {
            value = Environment.GetEnvironmentVariable(sink.SecretEnv!);
        }
        else
        {
            try
            {
                value = File.ReadAllText(sink.SecretFile!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, $"cannot read {Describe(sink)} ({e.GetType().Name})");
            }
        }

        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return (null, $"{Describe(sink)} is empty or missing");
        }

        return value.Any(char.IsControl) ? (null, $"{Describe(sink)} contains control characters") : (value, null);
    }

    public static string Describe(AlertSinkOptions sink) =>
        !string.IsNullOrWhiteSpace(sink.SecretEnv) ? $"environment variable {sink.SecretEnv}" : $"file '{sink.SecretFile}'";
}
