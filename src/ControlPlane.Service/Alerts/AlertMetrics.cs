using ControlPlane.Core.Alerts;
using Prometheus;

namespace ControlPlane.Service.Alerts;

internal static class AlertMetrics
{
    private static readonly Counter Alerts = Metrics.CreateCounter(
        "controlplane_alerts_total", "Alerts triggered (resolves are not counted).", "kind", "severity");

    private static readonly Counter Deliveries = Metrics.CreateCounter(
        "controlplane_alert_deliveries_total", "Delivery attempts by sink and result: delivered, retry (will be tried again) or failed (given up).", "sink", "result");

    private static readonly Gauge Pending = Metrics.CreateGauge(
        "controlplane_alert_delivery_pending", "Deliveries waiting to be sent or retried, per sink (reported by the leader).", "sink");

    public static void Raised(AlertCondition alert) => Alerts.WithLabels(AlertKinds.NameOf(alert.Kind), AlertKinds.NameOf(alert.Severity)).Inc();

    public static void Delivery(string sink, string result) => Deliveries.WithLabels(sink, result).Inc();

    public static void PendingFor(string sink, long count) => Pending.WithLabels(sink).Set(count);
}
