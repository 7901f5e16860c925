using System.Net;
using System.Net.Http.Headers;
using System.Text;
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
    NpgsqlDataSource dataSource,
    AlertSinkRegistry sinks,
    AlertStore store,
    AlertSignal signal,
    IHttpClientFactory httpClients,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertSender> logger) : BackgroundService
{
    public const string HttpClientName = "alerts";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (sinks.All.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var term = await leadership.WaitForLeadershipAsync(stoppingToken);
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, term);
                await Task.WhenAll(sinks.All.Select(sink => RunSinkAsync(sink, leading.Token)));
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Leadership lost: the next leader carries on from the stored deliveries.
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RunSinkAsync(AlertSink sink, CancellationToken cancellationToken)
    {
        var bucket = TokenBucket.Full(sink.Rate, time.GetUtcNow());
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
                Log.SinkLoopFailed(logger, sink.Name, e.GetType().Name);
                wait = options.Value.PollInterval;
            }

            if (wait is { } delay)
            {
                await ReportPendingAsync(sink, cancellationToken);
                await signal.WaitAsync(delay, time, cancellationToken);
            }
        }
    }

    /// <summary>Sends the sink's oldest pending delivery if it is due; returns how long to wait, or null to go on at once.</summary>
    private async Task<(TimeSpan? Wait, TokenBucket Bucket)> SendNextAsync(
        AlertSink sink, TokenBucket bucket, ResiliencePipeline<HttpResponseMessage> pipeline, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var select = new NpgsqlCommand(
            """
            SELECT d.id, d.attempts, d.next_attempt_at, d.created_at, a.id, a.dedup_key, a.action, a.kind, a.severity, a.summary,
                   a.provider_id, a.model, a.route_id, a.occurred_at
            FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE d.sink = $1 AND d.status = 'pending'
            ORDER BY d.id LIMIT 1
            FOR UPDATE OF d
            """, connection, transaction);
        select.Parameters.Add(new() { Value = sink.Name });

        long id;
        int attempts;
        DateTimeOffset nextAttempt, created;
        StoredAlert alert;
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return (settings.PollInterval, bucket);
            }

            (id, attempts, nextAttempt, created) = (reader.GetInt64(0), reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3));
            alert = new StoredAlert(reader.GetGuid(4), reader.GetString(5), reader.GetString(6) == "trigger" ? AlertAction.Trigger : AlertAction.Resolve,
                reader.GetString(7), reader.GetString(8), reader.GetString(9), AlertStore.Text(reader, 10), AlertStore.Text(reader, 11),
                AlertStore.Text(reader, 12), reader.GetFieldValue<DateTimeOffset>(13));
        }

        var now = time.GetUtcNow();
        if (nextAttempt > now)
        {
            var due = nextAttempt - now;
            return (due < settings.PollInterval ? due : settings.PollInterval, bucket);
        }

        if (now - created > settings.MaxDeliveryAge)
        {
            await UpdateAsync(connection, transaction, id, "failed", "expired", now, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            AlertMetrics.Delivery(sink.Name, "failed");
            Log.GaveUp(logger, sink.Name, alert.DedupKey, attempts);
            return (null, bucket);
        }

        if (!bucket.TryTake(now, out bucket, out var rateWait))
        {
            return (rateWait, bucket);
        }

        var (delivered, permanent, error) = await DeliverAsync(sink, alert, pipeline, cancellationToken);
        now = time.GetUtcNow();
        if (delivered)
        {
            await UpdateAsync(connection, transaction, id, "delivered", null, now, now, cancellationToken);
            AlertMetrics.Delivery(sink.Name, "delivered");
            var action = AlertKinds.NameOf(alert.Action);
            Log.Delivered(logger, sink.Name, alert.DedupKey, action, attempts + 1);
        }
        else if (permanent)
        {
            await UpdateAsync(connection, transaction, id, "failed", error, now, null, cancellationToken);
            AlertMetrics.Delivery(sink.Name, "failed");
            Log.Rejected(logger, sink.Name, alert.DedupKey, error!);
        }
        else
        {
            var retryIn = DeliveryBackoff.Next(attempts + 1, settings.RetryBaseDelay, settings.MaxRetryDelay, Random.Shared.NextDouble());
            await UpdateAsync(connection, transaction, id, "pending", error, now + retryIn, null, cancellationToken);
            AlertMetrics.Delivery(sink.Name, "retry");
            Log.Retrying(logger, sink.Name, alert.DedupKey, error!, retryIn.TotalSeconds);
        }

        await transaction.CommitAsync(cancellationToken);
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
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add("webhook-id", id);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", StandardWebhookSigner.Sign(sink.Secrets, id, timestamp, body));
        }

        return request;
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline() =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
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

    private static async Task UpdateAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long id, string status, string? error,
        DateTimeOffset nextAttempt, DateTimeOffset? deliveredAt, CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand(
            """
            UPDATE alert_deliveries SET status = $2, attempts = attempts + CASE WHEN $3::text = 'expired' THEN 0 ELSE 1 END,
                last_error = $3, next_attempt_at = $4, delivered_at = $5
            WHERE id = $1
            """, connection, transaction);
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = status });
        update.Parameters.Add(AlertStore.Nullable(error));
        update.Parameters.Add(new() { Value = nextAttempt });
        update.Parameters.Add(new() { Value = (object?)deliveredAt ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

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
