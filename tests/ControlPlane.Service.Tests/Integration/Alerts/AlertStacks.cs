using ControlPlane.Testing;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Service.Tests.Integration.Breakers;

namespace ControlPlane.Service.Tests.Integration.Alerts;

/// <summary>Environment for a stack whose alerts go to one signed webhook sink, and the API calls the tests make.</summary>
internal static class AlertStacks
{
    public static readonly TestApiKey Operator = TestApiKey.Create("alerts-it", "read", "operate");

    public static Dictionary<string, string?> WebhookSink(string sink, Uri url, string secrets, IReadOnlyDictionary<string, string?>? more = null)
    {
        var variable = "CP_IT_ALERT_SECRET_" + sink.ToUpperInvariant().Replace('-', '_');
        var environment = new Dictionary<string, string?>
        {
            [$"Alerts__Sinks__{sink}__Type"] = "Webhook",
            [$"Alerts__Sinks__{sink}__Url"] = url.ToString(),
            [$"Alerts__Sinks__{sink}__SecretEnv"] = variable,
            [$"Alerts__Sinks__{sink}__MinimumSeverity"] = "Warning",
            [variable] = secrets,
            ["Alerts__RetryBaseDelay"] = "00:00:01",
            ["Alerts__MaxRetryDelay"] = "00:00:02",
            ["Alerts__RequestTimeout"] = "00:00:05",
            ["Breakers__BaseBreakDuration"] = "00:00:03",
            ["Breakers__SlowStartDuration"] = "00:00:01",
        };
        foreach (var (name, value) in more ?? new Dictionary<string, string?>())
        {
            environment[name] = value;
        }

        return environment;
    }

    public static async Task<Guid> FireTestAsync(HttpClient http, string sink)
    {
        using var response = await http.PostAsync(new Uri($"api/alerts/test/{sink}", UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> DeliveriesAsync(HttpClient http, string query = "") =>
        (await http.GetFromJsonAsync<JsonElement>(new Uri($"api/alerts/deliveries{query}", UriKind.Relative)));

    public static async Task<JsonElement> AlertsAsync(HttpClient http) =>
        await http.GetFromJsonAsync<JsonElement>(new Uri("api/alerts", UriKind.Relative));
}
