using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ControlPlane.Core.Alerts;
using ControlPlane.Service.Alerts;
using Microsoft.Extensions.Options;
using Xunit;

namespace ControlPlane.Service.Tests.Alerts;

public sealed class AlertSinkConfigurationTests
{
    private static readonly StoredAlert Trigger = new(
        Guid.Parse("01a20a74-ef8e-749e-9454-34bbf81bc2fc"), "anthropic:*:incident", AlertAction.Trigger, "incident", "critical",
        "2 of 3 targets of anthropic are open", "anthropic", null, null, new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Signature_MatchesTheStandardWebhooksAlgorithm_ForEverySecret()
    {
        var keys = new[] { RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32) };
        var secrets = keys.Select(k => "whsec_" + Convert.ToBase64String(k)).ToList();

        var header = StandardWebhookSigner.Sign(secrets, "msg_1", 1_700_000_000, "{\"a\":1}");

        var expected = keys.Select(k => "v1," + Convert.ToBase64String(HMACSHA256.HashData(k, Encoding.UTF8.GetBytes("msg_1.1700000000.{\"a\":1}"))));
        Assert.Equal(string.Join(' ', expected), header);
    }

    [Fact]
    public void Validator_CollectsEveryProblem_AndNeverQuotesASecret()
    {
        var badSecret = "not-a-whsec-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("CP_UNIT_ALERT_BAD", badSecret);
        var options = new AlertOptions
        {
            FlapPeriod = TimeSpan.Zero,
            Sinks = new(StringComparer.Ordinal)
            {
                ["hook"] = new() { Type = AlertSinkType.Webhook, SecretEnv = "CP_UNIT_ALERT_BAD" },
                ["pager"] = new() { Type = AlertSinkType.PagerDuty, SecretEnv = "CP_UNIT_ALERT_MISSING_" + Guid.NewGuid().ToString("N") },
                ["bad name!"] = new() { Type = AlertSinkType.Slack, SecretEnv = "CP_UNIT_ALERT_BAD", Kinds = ["nonsense"] },
            },
        };

        var result = new AlertOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("FlapPeriod", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("hook:Url is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("hook", StringComparison.Ordinal) && f.Contains("whsec_", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("pager", StringComparison.Ordinal) && f.Contains("empty or missing", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("bad name!", StringComparison.Ordinal) && f.Contains("sink names", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("unknown kind 'nonsense'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Slack incoming webhook URL", StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain(badSecret, f, StringComparison.Ordinal));
    }

    [Fact]
    public void Registry_ResolvesSecretsAndFilters_AndToStringHidesThem()
    {
        var routingKey = "R" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("CP_UNIT_ALERT_PD", routingKey);
        var registry = new AlertSinkRegistry(Options.Create(new AlertOptions
        {
            Sinks = new(StringComparer.Ordinal)
            {
                ["pager"] = new() { Type = AlertSinkType.PagerDuty, SecretEnv = "CP_UNIT_ALERT_PD", MinimumSeverity = AlertSeverity.Critical },
            },
        }));

        var sink = Assert.Single(registry.All);
        Assert.Equal(AlertSink.PagerDutyEventsUrl, sink.Url);
        Assert.Equal(RateLimit.PagerDuty, sink.Rate);
        Assert.DoesNotContain(routingKey, sink.ToString(), StringComparison.Ordinal);
        Assert.Equal(["pager"], registry.For(AlertCondition.Incident("anthropic", "s")));
        Assert.Empty(registry.For(AlertCondition.ForTarget(new(new("a/b"), "a", "b", null!), AlertKind.QuotaExhausted, "s")));
    }

    [Fact]
    public void PagerDutyPayloads_TriggerWithDetails_ResolveWithTheDedupKeyOnly()
    {
        using var trigger = JsonDocument.Parse(AlertPayloads.PagerDuty(Trigger, "rk"));
        using var resolve = JsonDocument.Parse(AlertPayloads.PagerDuty(Trigger with { Action = AlertAction.Resolve }, "rk"));

        var t = trigger.RootElement;
        Assert.Equal(("rk", "trigger", "anthropic:*:incident"), (t.GetProperty("routing_key").GetString(), t.GetProperty("event_action").GetString(), t.GetProperty("dedup_key").GetString()));
        var payload = t.GetProperty("payload");
        Assert.Equal("critical", payload.GetProperty("severity").GetString());
        Assert.Equal("controlplane", payload.GetProperty("source").GetString());
        Assert.Equal(Trigger.Summary, payload.GetProperty("summary").GetString());
        Assert.Equal(["routing_key", "event_action", "dedup_key"], resolve.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("resolve", resolve.RootElement.GetProperty("event_action").GetString());
    }

    [Fact]
    public void WebhookAndSlackPayloads_CarryTheAlert()
    {
        using var webhook = JsonDocument.Parse(AlertPayloads.Webhook(Trigger));
        using var slack = JsonDocument.Parse(AlertPayloads.Slack(Trigger with { Action = AlertAction.Resolve }));

        Assert.Equal("alert.triggered", webhook.RootElement.GetProperty("type").GetString());
        Assert.Equal("anthropic:*:incident", webhook.RootElement.GetProperty("data").GetProperty("dedupKey").GetString());
        Assert.Equal(Trigger.Id.ToString(), webhook.RootElement.GetProperty("data").GetProperty("id").GetString());
        Assert.StartsWith(":white_check_mark: *Resolved*", slack.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }
}
