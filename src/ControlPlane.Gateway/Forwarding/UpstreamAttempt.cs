using System.Buffers;
using ControlPlane.Contracts;
using ControlPlane.Contracts.Providers;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Translation;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// Sends one request to one target and decides what came back, before anything reaches the client: a failure (connect
/// error, timeout, 5xx, 529, 429, 401/403), the client's own mistake, or an answer. An answer is held up to its first
/// content (the whole body when not streamed), so a 200 that is not an answer — a stream opening with an error
/// event, a stream that closes with nothing, a body without content — is a failure the safety net can still act on.
/// </summary>
internal sealed class UpstreamAttempt(HttpMessageInvoker http, IOptions<GatewayOptions> options, TimeProvider time)
{
    private const int ChunkSize = 16 * 1024;
    private const int MaxErrorBodyBytes = 64 * 1024;

    private readonly GatewayOptions _options = options.Value;

    /// <param name="request">The request, ready to send (URL, auth, body).</param>
    /// <param name="codec">The codec of the target's native API, to read its answer and errors.</param>
    /// <param name="stream">Whether the client asked for a stream.</param>
    /// <param name="budget">What is left of the request's attempt budget.</param>
    public async Task<AttemptResult> SendAsync(
        HttpRequestMessage request, IProviderCodec codec, bool stream, TimeSpan budget, CancellationToken clientAborted)
    {
        var headersTimeout = stream ? _options.StreamingResponseHeadersTimeout : _options.ResponseHeadersTimeout;
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        timer.CancelAfter(headersTimeout < budget ? headersTimeout : budget);
        var started = time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timer.Token);
        }
        catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
        {
            return AttemptResult.ClientLeft();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
        {
            return AttemptResult.Failed(e is OperationCanceledException ? Outcomes.Timeout : Outcomes.ConnectFailure);
        }

        var latency = time.GetElapsedTime(started);
        var status = (int)response.StatusCode;
        var keep = false;
        try
        {
            if (status is < 200 or >= 300)
            {
                var errorBody = await ReadErrorBodyAsync(response, timer.Token);
                var (outcome, disposition) = AttemptClassifier.Classify(status, errorBody);
                var fault = codec.DecodeError(status, errorBody);
                if (disposition == Disposition.ReturnToClient)
                {
                    keep = true; // its headers may be relayed
                    return AttemptClassifier.Refusal(status, errorBody) is { } refused
                        ? AttemptResult.Refused(latency, status, fault, errorBody, response, refused.Refusal, refused.Window)
                        : AttemptResult.Rejected(latency, status, fault, errorBody, response);
                }

                return AttemptResult.Failed(outcome, latency, status, fault, errorBody, response.Content.Headers.ContentType) is var failed
                    && outcome == Outcomes.RateLimited
                        ? failed.WithRetryHint(RetryHint(response, errorBody))
                        : failed;
            }

            var eventStream = string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
            var result = stream && eventStream
                ? await HoldStreamAsync(response, codec, latency, timer.Token, clientAborted)
                : await ReadWholeAsync(response, codec, latency, clientAborted);
            result.ReadyAfter = time.GetElapsedTime(started);
            keep = result.Kind == AttemptKind.Answered;
            return result;
        }
        finally
        {
            if (!keep)
            {
                response.Dispose();
            }
        }
    }

    /// <summary>Reads the stream until its first content-bearing event (bounded by the headers timer).</summary>
    private static async Task<AttemptResult> HoldStreamAsync(
        HttpResponseMessage response, IProviderCodec codec, TimeSpan latency, CancellationToken timer, CancellationToken clientAborted)
    {
        var held = new HeldStream(await response.Content.ReadAsStreamAsync(timer), codec.CreateStreamDecoder());
        var sseEvents = new List<SseEvent>();
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var handedOver = false;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await held.Upstream.ReadAsync(chunk, timer);
                }
                catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
                {
                    return AttemptResult.ClientLeft();
                }
                catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
                {
                    // Silence until the timer, or a broken connection, before any content: a failure like any other.
                    return AttemptResult.Failed(e is OperationCanceledException ? Outcomes.Timeout : Outcomes.StreamError, latency);
                }

                var scanFrom = held.Events.Count;
                if (read == 0)
                {
                    held.Ended = true;
                    held.EndedProperly = held.Decoder.Complete(held.Events);
                }
                else
                {
                    held.RawBytes.Write(chunk.AsSpan(0, read));
                    held.Parser.Feed(chunk.AsSpan(0, read), sseEvents);
                    try
                    {
                        foreach (var sseEvent in sseEvents)
                        {
                            held.Decoder.Decode(sseEvent, held.Events);
                        }
                    }
                    catch (MalformedResponseException)
                    {
                        return AttemptResult.Failed(Outcomes.MalformedResponse, latency);
                    }

                    sseEvents.Clear();
                }

                for (var i = scanFrom; i < held.Events.Count; i++)
                {
                    if (held.Events[i] is StreamFailed failed)
                    {
                        return AttemptResult.Failed(failed.Outcome, latency, failed.Fault.Status, failed.Fault);
                    }

                    if (AnswerShape.IsContentBearing(held.Events[i]))
                    {
                        handedOver = true;
                        return AttemptResult.Streaming(latency, response, held);
                    }
                }

                if (held.Ended)
                {
                    return AttemptResult.Failed(Outcomes.StreamError, latency); // closed without any content
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            if (!handedOver)
            {
                held.Dispose();
            }
        }
    }

    /// <summary>Reads a whole answer (bounded in size and by the idle timeout) and checks it is one.</summary>
    private async Task<AttemptResult> ReadWholeAsync(
        HttpResponseMessage response, IProviderCodec codec, TimeSpan latency, CancellationToken clientAborted)
    {
        byte[] body;
        try
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
            idle.CancelAfter(_options.BodyIdleTimeout);
            body = await ReadBoundedAsync(response, _options.MaxResponseBodyBytes, truncate: false, idle.Token);
        }
        catch (OperationCanceledException) when (clientAborted.IsCancellationRequested)
        {
            return AttemptResult.ClientLeft();
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return AttemptResult.Failed(e is OperationCanceledException ? Outcomes.Timeout : Outcomes.StreamError, latency);
        }
        catch (InvalidDataException)
        {
            return AttemptResult.Failed(Outcomes.MalformedResponse, latency); // larger than any answer we relay
        }

        ChatResponse decoded;
        try
        {
            decoded = codec.DecodeResponse(body);
        }
        catch (MalformedResponseException)
        {
            return AttemptResult.Failed(Outcomes.MalformedResponse, latency);
        }

        return AnswerShape.IsEmpty(decoded)
            ? AttemptResult.Failed(Outcomes.MalformedResponse, latency)
            : AttemptResult.Whole(latency, response, body, decoded);
    }

    /// <summary>Reads a body up to <paramref name="limit"/> bytes.</summary>
    /// <param name="truncate">Past the limit: keep what was read (an error body, only read to classify) or throw.</param>
    /// <exception cref="InvalidDataException">The body is larger than the limit and <paramref name="truncate"/> is false.</exception>
    private static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, long limit, bool truncate, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = response.Content.Headers.ContentLength is { } length && length <= limit
            ? new MemoryStream((int)length)
            : new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while (buffer.Length < limit && (read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit && !truncate)
                {
                    throw new InvalidDataException("The answer exceeds MaxResponseBodyBytes.");
                }

                buffer.Write(chunk, 0, (int)Math.Min(read, limit - buffer.Length));
            }

            if (!truncate && buffer.Length == limit && await stream.ReadAsync(chunk.AsMemory(0, 1), cancellationToken) > 0)
            {
                throw new InvalidDataException("The answer exceeds MaxResponseBodyBytes.");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    // A spend cap is classified quota_exceeded, never rate_limited, so it never pauses a target: it is no pacing hint.
    private TimeSpan? RetryHint(HttpResponseMessage response, byte[] errorBody) =>
        RetryAfter.Parse(First(response, "retry-after"), First(response, "retry-after-ms"), time.GetUtcNow())
        ?? ProviderError.TryParse(errorBody)?.RetryDelay;

    private static string? First(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static async Task<byte[]> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBoundedAsync(response, MaxErrorBodyBytes, truncate: true, cancellationToken);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            return []; // The status code alone classifies it.
        }
    }
}
