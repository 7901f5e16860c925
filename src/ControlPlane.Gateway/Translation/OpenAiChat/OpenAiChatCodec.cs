using System.Text.Encodings.Web;
using System.Text.Json;
using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Translation.OpenAiChat;

/// <summary>Which output-limit field a target reads.</summary>
internal enum OpenAiChatDialect
{
    /// <summary>api.openai.com: <c>max_completion_tokens</c> (reasoning models reject <c>max_tokens</c>).</summary>
    OpenAi,

    /// <summary>Ollama, vLLM, LM Studio, llamafile: <c>max_tokens</c>, the field they all read.</summary>
    Compatible,
}

/// <summary>
/// OpenAI Chat Completions on both sides: clients of the <c>openai</c> SDK's <c>chat.completions</c> speak to us
/// through it, and we call OpenAI and OpenAI-compatible servers through it.
/// </summary>
internal sealed class OpenAiChatCodec(OpenAiChatDialect dialect, TimeProvider time) : IClientCodec, IProviderCodec
{
    public ApiFormat Format => ApiFormat.OpenAiChat;

    public ChatRequest DecodeRequest(ReadOnlySpan<byte> body) => OpenAiChatRequestDecoder.Decode(body);

    public byte[] EncodeResponse(ChatResponse response, string model) =>
        OpenAiChatResponseCodec.Encode(response, model, time.GetUtcNow().ToUnixTimeSeconds());

    public IStreamEncoder CreateStreamEncoder(ChatRequest request) =>
        new OpenAiChatStreamEncoder(request.Model, request.StreamUsage, time.GetUtcNow().ToUnixTimeSeconds());

    public byte[] EncodeError(ApiFault fault) => OpenAiChatErrors.Encode(fault);

    public byte[] EncodeStreamError(ApiFault fault) => OpenAiChatErrors.EncodeStreamEvent(fault);

    public ProviderRequest EncodeRequest(ChatRequest request, string model) =>
        new("/v1/chat/completions", OpenAiChatRequestEncoder.Encode(request, model, dialect));

    public ChatResponse DecodeResponse(ReadOnlySpan<byte> body) => OpenAiChatResponseCodec.Decode(body);

    public IStreamDecoder CreateStreamDecoder() => new OpenAiChatStreamDecoder();

    public ApiFault DecodeError(int status, ReadOnlySpan<byte> body) => OpenAiChatErrors.Decode(status, body);
}

/// <summary>Writer settings shared by the OpenAI Chat encoders.</summary>
internal static class OpenAiChatJson
{
    // Relaxed escaping: bodies go to JSON parsers, never into HTML, and escaping every non-ASCII character would
    // inflate non-English text sixfold.
    public static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Our ids are the provider's; OpenAI clients expect the <c>chatcmpl-</c> prefix.</summary>
    public static string CompletionId(string id) =>
        id.StartsWith("chatcmpl-", StringComparison.Ordinal) ? id : "chatcmpl-" + id;
}
