using ControlPlane.Testing;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Service.Tests.Integration.Alerts;

/// <summary>One request as the receiver saw it, and the status it answered.</summary>
internal sealed record ReceivedAlert(string? Id, string? Timestamp, string? Signature, string Body, int AnsweredWith)
{
    public bool Accepted => AnsweredWith is >= 200 and < 300;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string DedupKey => Json.GetProperty("data").GetProperty("dedupKey").GetString()!;

    public string Type => Json.GetProperty("type").GetString()!;
}

/// <summary>
/// Someone else's webhook endpoint (outside our control, so a hand-written fake): Kestrel on 127.0.0.1, recording every
/// request and answering <see cref="AnswerWith"/> — set it to 500 to play a receiver that is down.
/// </summary>
internal sealed class AlertReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedAlert> _received = new();

    private AlertReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public int AnswerWith { get; set; } = StatusCodes.Status204NoContent;

    public IReadOnlyList<ReceivedAlert> Received => _received.ToList();

    public IReadOnlyList<ReceivedAlert> Accepted => _received.Where(r => r.Accepted).ToList();

    public static async Task<AlertReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new AlertReceiver(app);
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var status = receiver.AnswerWith;
            receiver._received.Enqueue(new ReceivedAlert(
                request.Headers["webhook-id"].FirstOrDefault(), request.Headers["webhook-timestamp"].FirstOrDefault(),
                request.Headers["webhook-signature"].FirstOrDefault(), body, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        receiver.Url = new Uri(app.Urls.Single().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/hook");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// The verification docs/alerts.md tells receivers to do, written from the Standard Webhooks spec and independent of
/// the service's signer: HMAC-SHA256 with the base64-decoded part of the <c>whsec_</c> secret over
/// <c>{webhook-id}.{webhook-timestamp}.{body}</c>, compared with each space-separated <c>v1,</c> signature.
/// </summary>
internal static class WebhookVerifier
{
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static bool Verify(string secret, ReceivedAlert request)
    {
        if (request.Id is null || request.Timestamp is null || request.Signature is null)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Encoding.ASCII.GetBytes(
            "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.{request.Body}"))));
        return request.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(candidate => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(candidate), expected));
    }
}
