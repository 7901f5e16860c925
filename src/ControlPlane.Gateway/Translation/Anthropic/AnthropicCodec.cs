using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Translation.Anthropic;

/// <summary>
/// The Anthropic Messages API, both sides: clients such as Claude Code and the official SDKs speak it to us, and we
/// speak it to Anthropic targets. Stateless; stream state lives in the encoder/decoder made per stream.
/// </summary>
internal sealed class AnthropicCodec : IClientCodec, IProviderCodec
{
    /// <summary>The gateway's <c>max_tokens</c> when a request from another API sets none.</summary>
    public const int DefaultMaxTokens = 4096;

    private readonly int _defaultMaxTokens;

    /// <param name="defaultMaxTokens">Sent as <c>max_tokens</c> (which Anthropic requires) when the request has no limit.</param>
    public AnthropicCodec(int defaultMaxTokens = DefaultMaxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(defaultMaxTokens, 1);
        _defaultMaxTokens = defaultMaxTokens;
    }

    public ApiFormat Format => ApiFormat.AnthropicMessages;

    public ChatRequest DecodeRequest(ReadOnlySpan<byte> body) => AnthropicRequestDecoder.Decode(body);

    public byte[] EncodeResponse(ChatResponse response, string model) => AnthropicResponseCodec.Encode(response, model);

    public IStreamEncoder CreateStreamEncoder(ChatRequest request) => new AnthropicStreamEncoder(request.Model);

    public byte[] EncodeError(ApiFault fault) => AnthropicErrors.Encode(fault);

    public byte[] EncodeStreamError(ApiFault fault) => AnthropicErrors.EncodeStreamEvent(fault);

    public ProviderRequest EncodeRequest(ChatRequest request, string model) => AnthropicRequestEncoder.Encode(request, model, _defaultMaxTokens);

    public ChatResponse DecodeResponse(ReadOnlySpan<byte> body) => AnthropicResponseCodec.Decode(body);

    public IStreamDecoder CreateStreamDecoder() => new AnthropicStreamDecoder();

    public ApiFault DecodeError(int status, ReadOnlySpan<byte> body) => AnthropicErrors.Decode(status, body);
}
