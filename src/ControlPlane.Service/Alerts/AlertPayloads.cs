using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Core.Alerts;

namespace ControlPlane.Service.Alerts;

/// <summary>A stored alert event as the sender reads it back.</summary>
public sealed record StoredAlert(
    Guid Id, string DedupKey, AlertAction Action, string Kind, string Severity, string Summary,
    string? Provider, string? Model, string? Route, DateTimeOffset OccurredAt);

/// <summary>The request bodies of the three sink types, rendered at send time so secrets never reach the database.</summary>
public static class AlertPayloads
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>Generic webhook: Standard Webhooks envelope (<c>type</c>, <c>timestamp</c>, <c>data</c>).</summary>
    public static string Webhook(StoredAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var type = alert.Kind == "test" ? "alert.test" : alert.Action == AlertAction.Trigger ? "alert.triggered" : "alert.resolved";
        return new JsonObject
        {
            ["type"] = type,
            ["timestamp"] = Iso(alert.OccurredAt),
            ["data"] = Data(alert),
        }.ToJsonString(Compact);
    }

    /// <summary>Slack incoming webhook: a plain-text message (mrkdwn).</summary>
    public static string Slack(StoredAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var head = alert.Action == AlertAction.Trigger
            ? $":rotating_light: *{alert.Severity.ToUpperInvariant()}* {alert.Summary}"
            : $":white_check_mark: *Resolved* {alert.Summary}";
        return new JsonObject { ["text"] = $"{head}\n`{alert.DedupKey}` at {Iso(alert.OccurredAt)}" }.ToJsonString(Compact);
    }

    /// <summary>PagerDuty Events v2: trigger with the full payload, resolve with the dedup key only.</summary>
    public static string PagerDuty(StoredAlert alert, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var body = new JsonObject
        {
            ["routing_key"] = routingKey,
            ["event_action"] = alert.Action == AlertAction.Trigger ? "trigger" : "resolve",
            ["dedup_key"] = alert.DedupKey,
        };
        if (alert.Action == AlertAction.Trigger)
        {
            body["payload"] = new JsonObject
            {
                ["summary"] = alert.Summary.Length > 1024 ? alert.Summary[..1024] : alert.Summary,
                ["source"] = "controlplane",
                ["severity"] = alert.Severity,
                ["timestamp"] = Iso(alert.OccurredAt),
                ["component"] = alert.Route ?? (alert.Model is null ? alert.Provider : $"{alert.Provider}/{alert.Model}"),
                ["group"] = alert.Provider,
                ["class"] = alert.Kind,
                ["custom_details"] = Data(alert),
            };
            body["client"] = "ControlPlane";
        }

        return body.ToJsonString(Compact);
    }

    private static JsonObject Data(StoredAlert alert) => new()
    {
        ["id"] = alert.Id.ToString(),
        ["dedupKey"] = alert.DedupKey,
        ["status"] = alert.Action == AlertAction.Trigger ? "triggered" : "resolved",
        ["kind"] = alert.Kind,
        ["severity"] = alert.Severity,
        ["summary"] = alert.Summary,
        ["provider"] = alert.Provider,
        ["model"] = alert.Model,
        ["route"] = alert.Route,
        ["occurredAt"] = Iso(alert.OccurredAt),
    };

    private static string Iso(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
