using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ControlPlane.Contracts;
using ControlPlane.Core.Alerts;
using ControlPlane.Service.Leadership;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ControlPlane.Service.Alerts;

/// <summary>
/// Delivers alerts on the leader only, one independent loop per sink, so a sink that stays down never holds up the
/// others. Each sink's deliveries go out in the order they were raised (a resolve never overtakes its trigger).
/// <para>
/// The delivery row is locked (<c>FOR UPDATE</c>) while it is being sent and marked in the same transaction, so two
/// replicas overlapping during a leadership handover cannot both send it. Quick retries within one attempt come from a
/// Polly pipeline (exponential backoff with jitter, per-try timeout); after that the next attempt time is stored, so
/// a restart during a long outage resumes where it left off.
/// </para>
/// </summary>
internal sealed partial class AlertSender(
    ILeadership leadership,
    AlertSinkRegistry sinks,
    AlertStore store,
    AlertSignal signal,
    IHttpClientFactory httpClients,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertSender> logger) : LeaderService(leadership, time, logger)
{
    public const string HttpClientName = "alerts";

    // A lost term needs nothing undone: the next leader carries on from the stored deliveries.
    protected override Task LeadAsync(CancellationToken term) => Task.WhenAll(sinks.All.Select(sink => RunSinkAsync(sink, term)));

    private async Task RunSinkAsync(AlertSink sink, CancellationToken cancellationToken)
    {
        var bucket = TokenBucket.Full(sink.Rate, Time.GetUtcNow());
        var pipeline = BuildPipeline();
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan? wait;
            try
            {
                (wait, bucket) = await SendNextAsync(sink, bucket, pipeline, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.SinkLoopFailed(Logger, sink.Name, e.GetType().Name);
                wait = options.Value.PollInterval;
            }

            if (wait is { } delay)
            {
                await ReportPendingAsync(sink, cancellationToken);
                await signal.WaitAsync(delay, Time, cancellationToken);
            }
        }
    }

    /// <summary>Sends the sink's oldest pending delivery if it is due; returns how long to wait, or null to go on at once.</summary>
    private async Task<(TimeSpan? Wait, TokenBucket Bucket)> SendNextAsync(
        AlertSink sink, TokenBucket bucket, ResiliencePipeline<HttpResponseMessage> pipeline, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var claim = await store.ClaimNextAsync(sink.Name, cancellationToken);
        if (claim is null)
        {
            return (settings.PollInterval, bucket);
        }

        var (alert, attempts) = (claim.Alert, claim.Attempts);
        var now = Time.GetUtcNow();
        if (claim.NextAttemptAt > now)
        {
            var due = claim.NextAttemptAt - now;
            return (due < settings.PollInterval ? due : settings.PollInterval, bucket);
        }

        if (now - claim.CreatedAt > settings.MaxDeliveryAge)
        {
            await store.MarkAsync(claim, "failed", "expired", now, now, countAttempt: false, cancellationToken);
            AlertMetrics.Delivery(sink.Name, "failed");
            Log.GaveUp(Logger, sink.Name, alert.DedupKey, attempts);
            return (null, bucket);
        }

        if (!bucket.TryTake(now, out bucket, out var rateWait))
        {
            return (rateWait, bucket);
        }

        var (delivered, permanent, error) = await DeliverAsync(sink, alert, pipeline, cancellationToken);
        now = Time.GetUtcNow();
        if (delivered)
        {
            await store.MarkAsync(claim, "delivered", null, now, now, countAttempt: true, cancellationToken);
            AlertMetrics.Delivery(sink.Name, "delivered");
            var action = AlertKinds.NameOf(alert.Action);
            Log.Delivered(Logger, sink.Name, alert.DedupKey, action, attempts + 1);
        }
        else if (permanent)
        {
            await store.MarkAsync(claim, "failed", error, now, null, countAttempt: true, cancellationToken);
            AlertMetrics.Delivery(sink.Name, "failed");
            Log.Rejected(Logger, sink.Name, alert.DedupKey, error!);
        }
        else
        {
            var retryIn = DeliveryBackoff.Next(attempts + 1, settings.RetryBaseDelay, settings.MaxRetryDelay, Random.Shared.NextDouble());
            await store.MarkAsync(claim, "pending", error, now + retryIn, null, countAttempt: true, cancellationToken);
            AlertMetrics.Delivery(sink.Name, "retry");
            Log.Retrying(Logger, sink.Name, alert.DedupKey, error!, retryIn.TotalSeconds);
        }

        return (null, bucket);
    }

    private async Task<(bool Delivered, bool Permanent, string? Error)> DeliverAsync(
        AlertSink sink, StoredAlert alert, ResiliencePipeline<HttpResponseMessage> pipeline, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        try
        {
            using var response = await pipeline.ExecuteAsync(
                async token =>
                {
                    // A fresh request per try: a new webhook-timestamp, and so a new signature.
                    using var request = BuildRequest(sink, alert);
                    return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
                },
                cancellationToken);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? (true, false, null)
                : (false, !IsTransient(response.StatusCode), $"HTTP {status}");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or IOException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (false, false, e.GetType().Name);
        }
    }

    private HttpRequestMessage BuildRequest(AlertSink sink, StoredAlert alert)
    {
        var body = sink.Type switch
        {
            AlertSinkType.Slack => AlertPayloads.Slack(alert),
            AlertSinkType.PagerDuty => AlertPayloads.PagerDuty(alert, sink.Secrets[0]),
            _ => AlertPayloads.Webhook(alert),
        };
        var request = new HttpRequestMessage(HttpMethod.Post, sink.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("ControlPlane-Alerts", "1.0"));
        if (sink.Type == AlertSinkType.Webhook)
        {
            var id = alert.Id.ToString();
            var timestamp = Time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add("webhook-id", id);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", StandardWebhookSigner.Sign(sink.Secrets, id, timestamp, body));
        }

        return request;
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline() =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = Time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(250),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
            })
            .AddTimeout(options.Value.RequestTimeout)
            .Build();

    /// <summary>Worth retrying: timeouts, throttling and server errors. Any other 4xx will not get better by itself.</summary>
    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    private async Task ReportPendingAsync(AlertSink sink, CancellationToken cancellationToken)
    {
        try
        {
            AlertMetrics.PendingFor(sink.Name, await store.PendingAsync(sink.Name, cancellationToken));
        }
        catch (NpgsqlException)
        {
            // A metric only; the loop reports the outage itself.
        }
    }
}
