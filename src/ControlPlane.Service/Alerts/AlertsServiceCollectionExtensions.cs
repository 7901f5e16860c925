using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>
    /// Alerts raised by the leader's evaluation (see <see cref="AlertMonitor"/>), stored with per-sink deliveries and
    /// sent by the leader to webhook, Slack and PagerDuty sinks.
    /// </summary>
    public static IHostApplicationBuilder AddAlerts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AlertOptions>, AlertOptionsValidator>();
        builder.Services.AddSingleton<AlertSinkRegistry>();
        builder.Services.AddSingleton<AlertStore>();
        builder.Services.AddSingleton<AlertSignal>();
        builder.Services.AddSingleton<AlertMonitor>();
        // No HttpClient logging: its request lines carry the URL, and a Slack webhook URL is a secret.
        builder.Services.AddHttpClient(AlertSender.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        builder.Services.AddHostedService<AlertSender>();
        builder.Services.AddHostedService<StaleSubscriberWatch>();
        return builder;
    }
}
