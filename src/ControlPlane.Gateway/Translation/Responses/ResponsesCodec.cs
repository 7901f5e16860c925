using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Translation.Responses;

/// <summary>
/// OpenAI Responses (<c>POST /v1/responses</c>) as a client API, used statelessly: the whole conversation comes in
/// every request and nothing is stored. Client side only; no target is served through Responses.
/// </summary>
internal sealed class ResponsesCodec(TimeProvider time) : IClientCodec
{
    public ApiFormat Format => ApiFormat.OpenAiResponses;

    public ChatRequest DecodeRequest(ReadOnlySpan<byte> body) => ResponsesRequestDecoder.Decode(body);

    public byte[] EncodeResponse(ChatResponse response, string model) =>
        ResponsesResponseEncoder.Encode(response, model, time.GetUtcNow().ToUnixTimeSeconds());

    public IStreamEncoder CreateStreamEncoder(ChatRequest request) => new ResponsesStreamEncoder(request, time);

    public byte[] EncodeError(ApiFault fault) => ResponsesErrors.Body(fault);

    /// <summary>
    /// An error event outside any stream encoder, so it cannot know how many events went before; it says 0. When a
    /// stream is under way, write <see cref="StreamFailed"/> through its encoder instead, which numbers it in sequence.
    /// </summary>
    public byte[] EncodeStreamError(ApiFault fault) => ResponsesErrors.StreamEvent(fault, 0);
}
