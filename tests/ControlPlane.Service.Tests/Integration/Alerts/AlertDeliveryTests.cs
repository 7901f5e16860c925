using System.Net;
using ControlPlane.Service.Tests.Integration.Breakers;
using ControlPlane.Testing;
using Xunit;

namespace ControlPlane.Service.Tests.Integration.Alerts;

/// <summary>
/// Real service processes delivering to a webhook receiver on loopback: signatures, retries while the receiver is
/// down, and a restart in the middle of those retries. Each test uses its own sink name, so deliveries left by one
/// test in the shared database are never picked up by another.
/// </summary>
[Collection(ServiceProcessCollection.Name)]
public sealed class AlertDeliveryTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TestRoute Route = new("chat-default", "anthropic", "openai", "claude-sonnet-4-5");

    [Fact]
    public async Task TestAlert_IsSignedWithEveryRotatingSecret_AndAWrongSecretFailsVerification()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        var (current, next) = (WebhookVerifier.NewSecret(), WebhookVerifier.NewSecret());
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(1),
            AlertStacks.WebhookSink("signed", receiver.Url, $"{current} {next}"), [AlertStacks.Operator]);
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica, AlertStacks.Operator);
        using var anonymous = ControlPlaneStack.Client(replica);

        using (var refused = await anonymous.PostAsync(new Uri("api/alerts/test/signed", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var unknown = await http.PostAsync(new Uri("api/alerts/test/nobody", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        }

        var id = await AlertStacks.FireTestAsync(http, "signed");
        await stack.UntilAsync(() => Task.FromResult(receiver.Accepted.Any(r => r.Id == id.ToString())), "the test alert reaches the receiver");

        var request = receiver.Accepted.Single(r => r.Id == id.ToString());
        Assert.Equal("alert.test", request.Type);
        Assert.Equal(2, request.Signature!.Split(' ').Length);
        Assert.True(WebhookVerifier.Verify(current, request));
        Assert.True(WebhookVerifier.Verify(next, request));
        Assert.False(WebhookVerifier.Verify(WebhookVerifier.NewSecret(), request));
        Assert.False(WebhookVerifier.Verify(current, request with { Body = request.Body.Replace("test", "tset", StringComparison.Ordinal) }));
        Assert.False(WebhookVerifier.Verify(current, request with { Timestamp = (long.Parse(request.Timestamp!, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.InRange(long.Parse(request.Timestamp!, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());

        // The delivery history records it, and the secret appears nowhere in the service's output.
        await stack.UntilAsync(
            async () => (await AlertStacks.DeliveriesAsync(http, "?sink=signed&status=delivered")).EnumerateArray().Any(d => d.GetProperty("alertId").GetGuid() == id),
            "the delivery is recorded as delivered");
        Assert.DoesNotContain(current["whsec_".Length..], replica.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(next["whsec_".Length..], replica.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiverAnswering500ForAWhile_GetsTheAlertExactlyOnceAfterItRecovers()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        receiver.AnswerWith = 500;
        var secret = WebhookVerifier.NewSecret();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(1),
            AlertStacks.WebhookSink("flaky", receiver.Url, secret), [AlertStacks.Operator]);
        var replica = await stack.StartReplicaAsync();
        using var http = ControlPlaneStack.Client(replica, AlertStacks.Operator);

        var id = (await AlertStacks.FireTestAsync(http, "flaky")).ToString();

        // Several stored retries (each a Polly burst of three tries), all answered 500.
        await stack.UntilAsync(
            async () => (await AlertStacks.DeliveriesAsync(http, "?sink=flaky")).EnumerateArray()
                .Any(d => d.GetProperty("alertId").GetString() == id && d.GetProperty("attempts").GetInt32() >= 3 && d.GetProperty("status").GetString() == "pending"),
            "the delivery is retried with backoff while the receiver answers 500");
        Assert.Equal("HTTP 500", (await AlertStacks.DeliveriesAsync(http, "?sink=flaky&status=pending")).EnumerateArray().First().GetProperty("lastError").GetString());
        Assert.DoesNotContain(receiver.Received, r => r.Id == id && r.Accepted);

        receiver.AnswerWith = 200;
        await stack.UntilAsync(() => Task.FromResult(receiver.Accepted.Any(r => r.Id == id)), "the receiver recovers and gets the alert");
        await stack.UntilAsync(
            async () => (await AlertStacks.DeliveriesAsync(http, "?sink=flaky&status=delivered")).EnumerateArray().Any(d => d.GetProperty("alertId").GetString() == id),
            "the delivery is marked delivered");

        var attempts = receiver.Received.Where(r => r.Id == id).ToList();
        Assert.True(attempts.Count(r => !r.Accepted) >= 3);
        Assert.Single(attempts, r => r.Accepted);
        Assert.Equal(attempts.Count - 1, attempts.FindIndex(r => r.Accepted)); // nothing after the success
        Assert.All(attempts, r => Assert.True(WebhookVerifier.Verify(secret, r)));
        var stored = (await AlertStacks.DeliveriesAsync(http, "?sink=flaky")).EnumerateArray().Single(d => d.GetProperty("alertId").GetString() == id);
        Assert.InRange(stored.GetProperty("attempts").GetInt32(), 4, attempts.Count); // each stored attempt is a burst of up to three requests

        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        Assert.Contains("controlplane_alert_deliveries_total{sink=\"flaky\",result=\"retry\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("controlplane_alert_deliveries_total{sink=\"flaky\",result=\"delivered\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RestartDuringRetries_LosesNothing_AndTheNewProcessDeliversOnce()
    {
        await using var receiver = await AlertReceiver.StartAsync();
        receiver.AnswerWith = 503;
        var secret = WebhookVerifier.NewSecret();
        await using var stack = await ControlPlaneStack.CreateAsync(
            database.ConnectionString, [Route], TimeSpan.FromSeconds(1),
            AlertStacks.WebhookSink("restart", receiver.Url, secret), [AlertStacks.Operator]);
        var first = await stack.StartReplicaAsync();
        List<string> fired;
        using (var http = ControlPlaneStack.Client(first, AlertStacks.Operator))
        {
            fired = [(await AlertStacks.FireTestAsync(http, "restart")).ToString(), (await AlertStacks.FireTestAsync(http, "restart")).ToString()];
            await stack.UntilAsync(() => Task.FromResult(receiver.Received.Count(r => r.Id == fired[0]) >= 2), "the first replica is retrying");
        }

        first.Kill();
        var failedBeforeRestart = receiver.Received.Count;
        var second = await stack.StartReplicaAsync();
        using var secondHttp = ControlPlaneStack.Client(second, AlertStacks.Operator);
        await stack.UntilAsync(() => Task.FromResult(receiver.Received.Count > failedBeforeRestart), "the restarted service resumes the stored retries");

        // Head of line: the sink's queue is ordered, so the second alert waits behind the first.
        Assert.DoesNotContain(receiver.Received, r => r.Id == fired[1]);
        receiver.AnswerWith = 202;
        await stack.UntilAsync(() => Task.FromResult(fired.All(id => receiver.Accepted.Any(r => r.Id == id))), "both alerts arrive once the receiver recovers");
        await stack.UntilAsync(
            async () => (await AlertStacks.DeliveriesAsync(secondHttp, "?sink=restart&status=pending")).GetArrayLength() == 0,
            "nothing is left pending");

        Assert.All(fired, id => Assert.Single(receiver.Accepted, r => r.Id == id));
        // In order: the second alert is never accepted before the first (per-sink queue order survives the restart).
        Assert.Equal(fired, receiver.Accepted.Select(r => r.Id!).ToList());
    }
}
