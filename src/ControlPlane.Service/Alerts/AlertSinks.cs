using ControlPlane.Core.Alerts;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Alerts;

/// <summary>
/// One configured destination, with its secret resolved. A class, not a record: a record's generated ToString would
/// print the secret into any log line that formats it.
/// </summary>
public sealed class AlertSink
{
    public static readonly Uri PagerDutyEventsUrl = new("https://events.pagerduty.com/v2/enqueue");

    internal AlertSink(string name, AlertSinkType type, Uri url, IReadOnlyList<string> secrets, SinkFilter filter, RateLimit rate)
    {
        Name = name;
        Type = type;
        Url = url;
        Secrets = secrets;
        Filter = filter;
        Rate = rate;
    }

    public string Name { get; }

    public AlertSinkType Type { get; }

    /// <summary>Where requests go. For Slack this is the secret webhook URL: never log it.</summary>
    internal Uri Url { get; }

    /// <summary>Webhook signing secrets, or the PagerDuty routing key (one entry).</summary>
    internal IReadOnlyList<string> Secrets { get; }

    public SinkFilter Filter { get; }

    public RateLimit Rate { get; }

    public override string ToString() => $"{Name} ({Type})";
}

/// <summary>The configured sinks, resolved once at start (options are validated on start, so secrets are there).</summary>
public sealed class AlertSinkRegistry
{
    public AlertSinkRegistry(IOptions<AlertOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sinks = new List<AlertSink>();
        foreach (var (name, sink) in options.Value.Sinks.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var (secret, _) = AlertSecrets.Read(sink);
            var type = sink.Type ?? AlertSinkType.Webhook;
            var url = type switch
            {
                AlertSinkType.Slack => new Uri(secret!),
                AlertSinkType.PagerDuty => sink.Url ?? AlertSink.PagerDutyEventsUrl,
                _ => sink.Url!,
            };
            var secrets = type == AlertSinkType.Webhook ? StandardWebhookSigner.Split(secret!) : [secret!];
            var defaults = type switch { AlertSinkType.Slack => RateLimit.Slack, AlertSinkType.PagerDuty => RateLimit.PagerDuty, _ => RateLimit.Webhook };
            var rate = new RateLimit(sink.Burst ?? defaults.Capacity, sink.RatePerSecond ?? defaults.TokensPerSecond);
            var filter = new SinkFilter(
                sink.MinimumSeverity,
                sink.Providers.Count == 0 ? null : sink.Providers.ToHashSet(StringComparer.Ordinal),
                sink.Routes.Count == 0 ? null : sink.Routes.ToHashSet(StringComparer.Ordinal),
                sink.Kinds.Count == 0 ? null : sink.Kinds.Select(k => AlertKinds.TryParse(k, out var kind) ? kind : AlertKind.Test).ToHashSet());
            sinks.Add(new AlertSink(name, type, url, secrets, filter, rate));
        }

        All = sinks;
    }

    public IReadOnlyList<AlertSink> All { get; }

    public AlertSink? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    /// <summary>Names of the sinks that should receive an alert.</summary>
    public IReadOnlyList<string> For(AlertCondition alert) => All.Where(s => s.Filter.Matches(alert)).Select(s => s.Name).ToList();
}
