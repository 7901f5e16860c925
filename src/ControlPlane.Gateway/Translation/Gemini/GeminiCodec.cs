using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Translation.Gemini;

/// <summary>
/// Gemini <c>generateContent</c> as a target: requests out, answers and errors in. Provider side only; no client
/// speaks Gemini to the gateway.
/// </summary>
internal sealed class GeminiCodec : IProviderCodec
{
    public ApiFormat Format => ApiFormat.GeminiGenerateContent;

    public ProviderRequest EncodeRequest(ChatRequest request, string model) => GeminiRequestEncoder.Encode(request, model);

    public ChatResponse DecodeResponse(ReadOnlySpan<byte> body) => GeminiResponseDecoder.Decode(body);

    public IStreamDecoder CreateStreamDecoder() => new GeminiStreamDecoder();

    public ApiFault DecodeError(int status, ReadOnlySpan<byte> body) => GeminiErrors.Decode(status, body);
}
