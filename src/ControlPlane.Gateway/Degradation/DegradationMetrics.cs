using Prometheus;

namespace ControlPlane.Gateway.Degradation;

/// <summary>What the degradation stage did with each request, by route and class (both from the table: low cardinality).</summary>
internal static class DegradationMetrics
{
    public const string Served = "served";
    public const string HeldServed = "held_served";
    public const string HeldTimeout = "held_timeout";
    public const string HoldFull = "hold_full";
    public const string Shed = "shed";
    public const string UnknownClass = "unknown_class";
    public const string AwaitedVerdict = "awaited_verdict";

    private static readonly Counter Requests = Metrics.CreateCounter(
        "gateway_class_requests_total",
        "Requests to routes with a degradation profile, by route, request class and what the profile did " +
        "(served, held_served, held_timeout, hold_full, shed, unknown_class; awaited_verdict: every tier failed before the " +
        "table said so, and the request waited for the control plane's verdict).",
        "route", "class", "result");

    private static readonly Gauge HeldNow = Metrics.CreateGauge(
        "gateway_held_requests", "Requests waiting for their class to be served again (hold for primary), by route.", "route");

    public static void Admitted(string route, Admission admission)
    {
        if (admission.Class is not { } requestClass)
        {
            return;
        }

        // An unknown class is the client's label, not the table's: it must not become a label value.
        Requests.WithLabels(route, admission.Refusal?.Status == 400 ? "unknown" : requestClass,
            admission.Refusal is null ? Served : admission.Refusal.Status == 400 ? UnknownClass : Shed).Inc();
    }

    public static void Finished(string route, string requestClass, string result) => Requests.WithLabels(route, requestClass, result).Inc();

    public static void HeldChanged(string route, int delta) => HeldNow.WithLabels(route).Inc(delta);
}
