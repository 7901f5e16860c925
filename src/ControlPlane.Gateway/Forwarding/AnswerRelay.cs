using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Translation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>How one answer travels to the client: as the provider sent it, or translated into the client's API.</summary>
internal sealed record Delivery(
    IClientCodec Client,
    IProviderCodec Provider,
    ChatRequest? Translated,
    string Target,
    string TargetModel,
    int Attempts);

/// <summary>
/// Writes an answer held by <see cref="UpstreamAttempt"/> to the client. Passthrough copies the provider's bytes
/// (headers included); translation re-encodes every event as it arrives, in the client's API. Either way, once the
/// first byte is out the answer is this target's: a later failure ends the stream with an error event in the
/// client's format (or, for a body, a broken connection).
/// </summary>
internal sealed class AnswerRelay(IOptions<GatewayOptions> options)
{
    private const int ChunkSize = 16 * 1024;

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
    };

    private readonly TimeSpan _idleTimeout = options.Value.BodyIdleTimeout;

    public async Task<RelayResult> RelayAsync(HttpContext context, AttemptResult answer, Delivery delivery)
    {
        var response = answer.Response!;
        if (delivery.Translated is not { } request)
        {
            CopyHeaders(response.Headers, context.Response);
            CopyHeaders(response.Content.Headers, context.Response);
            context.Response.StatusCode = (int)response.StatusCode;
            StampHeaders(context.Response, delivery);
            if (answer.Stream is { } held)
            {
                var relay = new BodyRelay(delivery.Client, eventStream: true, _idleTimeout);
                return await relay.RunAsync(held.RawBytes.WrittenMemory, held.Upstream, context);
            }

            context.Response.ContentLength = answer.Body!.Length;
            await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted);
            return RelayResult.Completed;
        }

        GatewayMetrics.Translations.WithLabels(delivery.Client.Format.ToString(), delivery.Provider.Format.ToString()).Inc();
        context.Response.StatusCode = 200;
        StampHeaders(context.Response, delivery);
        if (request.Dropped.Count > 0)
        {
            context.Response.Headers["x-gateway-dropped"] = string.Join(',', request.Dropped);
        }

        var clientRequest = request with { Model = delivery.TargetModel };
        if (!request.Stream)
        {
            var body = delivery.Client.EncodeResponse(answer.Decoded!, delivery.TargetModel);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
            return RelayResult.Completed;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var encoder = delivery.Client.CreateStreamEncoder(clientRequest);
        if (answer.Stream is not { } stream)
        {
            // The provider answered in one piece although a stream was asked for: replay it as events.
            return await WriteEventsAsync(context, encoder, StreamEvents.From(answer.Decoded!), ended: true, properly: true)
                ?? RelayResult.Completed;
        }

        var result = await WriteEventsAsync(context, encoder, stream.Events, stream.Ended, stream.EndedProperly);
        return result is { } done ? done : await TranslateRestAsync(context, stream, encoder);
    }

    /// <summary>Reads, decodes, re-encodes and flushes the rest of a provider stream, chunk by chunk.</summary>
    private async Task<RelayResult> TranslateRestAsync(HttpContext context, HeldStream stream, IStreamEncoder encoder)
    {
        var aborted = context.RequestAborted;
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        var sseEvents = new List<SseEvent>();
        var events = new List<StreamEvent>();
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    idle.CancelAfter(_idleTimeout);
                    read = await stream.Upstream.ReadAsync(chunk, idle.Token);
                }
                catch (OperationCanceledException) when (aborted.IsCancellationRequested)
                {
                    return RelayResult.ClientLeft;
                }
                catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
                {
                    return await FailAsync(context, encoder, ApiErrors.MidStreamFailure);
                }

                events.Clear();
                bool? properly = null;
                if (read == 0)
                {
                    properly = stream.Decoder.Complete(events);
                }
                else
                {
                    stream.Parser.Feed(chunk.AsSpan(0, read), sseEvents);
                    try
                    {
                        foreach (var sseEvent in sseEvents)
                        {
                            stream.Decoder.Decode(sseEvent, events);
                        }
                    }
                    catch (MalformedResponseException)
                    {
                        return await FailAsync(context, encoder, ApiErrors.MidStreamFailure);
                    }
                    finally
                    {
                        sseEvents.Clear();
                    }
                }

                if (await WriteEventsAsync(context, encoder, events, read == 0, properly ?? false) is { } done)
                {
                    return done;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return RelayResult.ClientLeft; // Writing to the client failed.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    /// <returns>The relay's result when these events end it; null to carry on reading.</returns>
    private static async Task<RelayResult?> WriteEventsAsync(
        HttpContext context, IStreamEncoder encoder, IEnumerable<StreamEvent> events, bool ended, bool properly)
    {
        var output = new ArrayBufferWriter<byte>(1024);
        foreach (var streamEvent in events)
        {
            if (streamEvent is StreamFailed failed)
            {
                await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
                return await FailAsync(context, encoder, failed.Fault);
            }

            encoder.Write(streamEvent, output);
        }

        if (output.WrittenCount > 0)
        {
            await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        if (!ended)
        {
            return null;
        }

        // A stream that stops without its end marker is a truncation, not an answer: say so.
        return properly ? RelayResult.Completed : await FailAsync(context, encoder, ApiErrors.MidStreamFailure);
    }

    /// <summary>Ends the client's stream with its API's error event, written by the stream's own encoder (in sequence).</summary>
    private static async Task<RelayResult> FailAsync(HttpContext context, IStreamEncoder encoder, ApiFault fault)
    {
        var output = new ArrayBufferWriter<byte>(256);
        encoder.Write(new StreamFailed(fault), output);
        await context.Response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        return RelayResult.UpstreamFailed;
    }

    private static void StampHeaders(HttpResponse response, Delivery delivery)
    {
        response.Headers["x-gateway-target"] = delivery.Target;
        response.Headers["x-gateway-attempts"] = delivery.Attempts.ToString(CultureInfo.InvariantCulture);
        if (delivery.Translated is not null)
        {
            response.Headers["x-gateway-translated"] = $"{WireName(delivery.Client.Format)}->{WireName(delivery.Provider.Format)}";
        }
    }

    internal static string WireName(Upstreams.ApiFormat format) => format switch
    {
        Upstreams.ApiFormat.AnthropicMessages => "anthropic-messages",
        Upstreams.ApiFormat.OpenAiChat => "openai-chat",
        Upstreams.ApiFormat.OpenAiResponses => "openai-responses",
        _ => "gemini-generate-content",
    };

    /// <summary>Copies an upstream's error or answer headers, less hop-by-hop ones.</summary>
    internal static void CopyHeaders(HttpHeaders from, HttpResponse to)
    {
        foreach (var (name, values) in from)
        {
            if (!HopByHop.Contains(name))
            {
                to.Headers[name] = new StringValues(values.ToArray());
            }
        }
    }
}
