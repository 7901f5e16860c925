using System.Buffers;
using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Translation;

/// <summary>
/// The client's side of one API: requests in, answers and errors out, in that API's exact shapes.
/// Implementations are stateless and thread-safe; per-stream state lives in the <see cref="IStreamEncoder"/>.
/// </summary>
internal interface IClientCodec
{
    ApiFormat Format { get; }

    /// <summary>Decodes a whole request body.</summary>
    /// <exception cref="InvalidRequestException">The body is not a valid request of this API.</exception>
    ChatRequest DecodeRequest(ReadOnlySpan<byte> body);

    /// <summary>A complete answer as this API's JSON body; <paramref name="model"/> is the model name the client sent.</summary>
    byte[] EncodeResponse(ChatResponse response, string model);

    /// <summary>A stream encoder for one answer to <paramref name="request"/> (its model name, its usage wishes).</summary>
    IStreamEncoder CreateStreamEncoder(ChatRequest request);

    /// <summary>An error as this API's JSON error body.</summary>
    byte[] EncodeError(ApiFault fault);

    /// <summary>An error as this API's in-stream error event (complete, with its blank line).</summary>
    byte[] EncodeStreamError(ApiFault fault);
}

/// <summary>Turns internal stream events into this API's server-sent events, for one answer.</summary>
internal interface IStreamEncoder
{
    /// <summary>
    /// Writes what the event means in this API: zero, one or several complete SSE events. A
    /// <see cref="StreamFailed"/> is written as the API's in-stream error event and ends the stream.
    /// </summary>
    void Write(StreamEvent streamEvent, IBufferWriter<byte> output);
}

/// <summary>A request as a provider's API wants it: path (and query) under the provider's root, and the JSON body.</summary>
internal sealed record ProviderRequest(string PathAndQuery, byte[] Body);

/// <summary>The provider's side of one API: requests out, answers and errors in.</summary>
internal interface IProviderCodec
{
    ApiFormat Format { get; }

    /// <summary>Encodes the request for <paramref name="model"/> (the target's model name).</summary>
    /// <exception cref="NotTranslatableException">Something in the request has no faithful equivalent in this API.</exception>
    ProviderRequest EncodeRequest(ChatRequest request, string model);

    /// <summary>Decodes a complete 2xx JSON answer.</summary>
    /// <exception cref="MalformedResponseException">It is not a valid answer of this API.</exception>
    ChatResponse DecodeResponse(ReadOnlySpan<byte> body);

    /// <summary>A decoder for one streamed answer.</summary>
    IStreamDecoder CreateStreamDecoder();

    /// <summary>Reads a provider error body (any status ≥ 400) into a fault; falls back to the status alone.</summary>
    ApiFault DecodeError(int status, ReadOnlySpan<byte> body);
}

/// <summary>Turns one provider stream's server-sent events into internal events.</summary>
internal interface IStreamDecoder
{
    /// <summary>Decodes one SSE event, appending what it means (possibly nothing) to <paramref name="output"/>.</summary>
    /// <exception cref="MalformedResponseException">The event is not valid for this API.</exception>
    void Decode(SseEvent sseEvent, List<StreamEvent> output);

    /// <summary>
    /// The upstream closed the stream. Appends what is still owed (closing blocks, the finish) and returns true when
    /// the stream had ended properly (<c>message_stop</c>, <c>[DONE]</c>, a Gemini chunk with a finish reason); false
    /// means a truncated answer.
    /// </summary>
    bool Complete(List<StreamEvent> output);
}
