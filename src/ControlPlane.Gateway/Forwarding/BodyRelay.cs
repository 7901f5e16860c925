using System.Buffers;
using ControlPlane.Gateway.Translation;

namespace ControlPlane.Gateway.Forwarding;

internal enum RelayResult
{
    Completed,

    /// <summary>The upstream broke off, went silent, or ended its stream with an error (or without its end marker).</summary>
    UpstreamFailed,

    /// <summary>The client went away; nothing to blame the target for.</summary>
    ClientLeft,
}

/// <summary>
/// Passthrough: copies an upstream body of the client's own API to the client as it arrives, never buffering the
/// whole of it. Event streams are relayed
/// event by event (up to the last complete <c>\n\n</c> of what has arrived, flushed at once), so that if the
/// upstream dies mid-event the client's stream can still end cleanly with an error event rather than half an event.
/// </summary>
internal sealed class BodyRelay(IClientCodec codec, bool eventStream, TimeSpan idleTimeout)
{
    private const int ChunkSize = 16 * 1024;

    private byte[]? _pending;
    private int _pendingLength;
    private bool _sawEnd;
    private bool _sawError;

    /// <param name="held">What was already read from the upstream (while holding for the first content).</param>
    public async Task<RelayResult> RunAsync(ReadOnlyMemory<byte> held, Stream upstream, HttpContext context)
    {
        var output = context.Response.Body;
        var aborted = context.RequestAborted;
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        try
        {
            await using (upstream)
            {
                if (!held.IsEmpty)
                {
                    if (eventStream)
                    {
                        await RelayEventsAsync(held, output, aborted);
                    }
                    else
                    {
                        await output.WriteAsync(held, aborted);
                    }
                }

                while (true)
                {
                    int read;
                    try
                    {
                        idle.CancelAfter(idleTimeout);
                        read = await upstream.ReadAsync(chunk, idle.Token);
                    }
                    catch (OperationCanceledException) when (aborted.IsCancellationRequested)
                    {
                        return RelayResult.ClientLeft;
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
                    {
                        return await FailAsync(context);
                    }

                    if (read == 0)
                    {
                        break;
                    }

                    if (eventStream)
                    {
                        await RelayEventsAsync(chunk.AsMemory(0, read), output, aborted);
                    }
                    else
                    {
                        await output.WriteAsync(chunk.AsMemory(0, read), aborted);
                    }
                }

                if (!eventStream)
                {
                    return RelayResult.Completed;
                }

                if (_pendingLength > 0)
                {
                    await WriteEventsAsync(_pending.AsMemory(0, _pendingLength), output, aborted);
                    _pendingLength = 0;
                }

                if (_sawError)
                {
                    return RelayResult.UpstreamFailed; // Its own error event went through: the client knows.
                }

                // A stream that stops without [DONE] / message_stop is a truncation, not an answer: say so.
                return _sawEnd ? RelayResult.Completed : await FailAsync(context);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return RelayResult.ClientLeft; // Writing to the client failed.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            if (_pending is not null)
            {
                ArrayPool<byte>.Shared.Return(_pending);
            }
        }
    }

    private async Task<RelayResult> FailAsync(HttpContext context)
    {
        if (!eventStream)
        {
            // Headers (maybe a Content-Length) are out: the only honest signal left is a broken connection.
            context.Abort();
            return RelayResult.UpstreamFailed;
        }

        _pendingLength = 0; // Half an event would only confuse the client's parser.
        await context.Response.Body.WriteAsync(codec.EncodeStreamError(ApiErrors.MidStreamFailure), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        return RelayResult.UpstreamFailed;
    }

    private async Task RelayEventsAsync(ReadOnlyMemory<byte> data, Stream output, CancellationToken cancellationToken)
    {
        if (_pendingLength == 0)
        {
            var boundary = LastBoundary(data.Span);
            if (boundary > 0)
            {
                await WriteEventsAsync(data[..boundary], output, cancellationToken);
            }

            Keep(data.Span[boundary..]);
            return;
        }

        Keep(data.Span);
        var end = LastBoundary(_pending.AsSpan(0, _pendingLength));
        if (end > 0)
        {
            await WriteEventsAsync(_pending.AsMemory(0, end), output, cancellationToken);
            _pending.AsSpan(end, _pendingLength - end).CopyTo(_pending);
            _pendingLength -= end;
        }
    }

    private async Task WriteEventsAsync(ReadOnlyMemory<byte> events, Stream output, CancellationToken cancellationToken)
    {
        var span = events.Span;
        _sawEnd |= span.IndexOf("data: [DONE]"u8) >= 0 || span.IndexOf("event: message_stop"u8) >= 0;
        _sawError |= span.IndexOf("event: error"u8) >= 0 || span.IndexOf("data: {\"error\""u8) >= 0;
        await output.WriteAsync(events, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private void Keep(ReadOnlySpan<byte> rest)
    {
        if (rest.IsEmpty)
        {
            return;
        }

        var needed = _pendingLength + rest.Length;
        if (_pending is null || _pending.Length < needed)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, ChunkSize));
            if (_pending is not null)
            {
                _pending.AsSpan(0, _pendingLength).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_pending);
            }

            _pending = bigger;
        }

        rest.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength = needed;
    }

    /// <summary>Length of the prefix made of complete events (ending in a blank line, LF or CRLF framing); 0 if none.</summary>
    internal static int LastBoundary(ReadOnlySpan<byte> data)
    {
        var lf = data.LastIndexOf("\n\n"u8);
        var crlf = data.LastIndexOf("\r\n\r\n"u8);
        return Math.Max(lf < 0 ? 0 : lf + 2, crlf < 0 ? 0 : crlf + 4);
    }
}
