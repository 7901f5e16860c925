using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;
using ControlPlane.Gateway.Translation.Gemini;
using ControlPlane.Gateway.Translation.OpenAiChat;
using ControlPlane.Gateway.Translation.Responses;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Translation.Pairs;

/// <summary>Real codecs wired the way the registry wires them; every pair test goes client → internal → provider and back.</summary>
internal static class PairHarness
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    public static AnthropicCodec AnthropicApi { get; } = new(4096);

    public static OpenAiChatCodec OpenAiApi { get; } = new(OpenAiChatDialect.OpenAi, Time);

    public static OpenAiChatCodec CompatibleApi { get; } = new(OpenAiChatDialect.Compatible, Time);

    public static ResponsesCodec ResponsesApi { get; } = new(Time);

    public static GeminiCodec GeminiApi { get; } = new();

    /// <summary>Client body → client decode → provider encode; the provider's JSON.</summary>
    public static JsonNode Request(IClientCodec client, IProviderCodec provider, string clientBody, string model = "target-model")
    {
        var request = client.DecodeRequest(Encoding.UTF8.GetBytes(clientBody));
        return JsonNode.Parse(provider.EncodeRequest(request, model).Body)!;
    }

    public static ProviderRequest RequestRaw(IClientCodec client, IProviderCodec provider, string clientBody, string model = "target-model") =>
        provider.EncodeRequest(client.DecodeRequest(Encoding.UTF8.GetBytes(clientBody)), model);

    /// <summary>Provider answer → provider decode → client encode; the client's JSON.</summary>
    public static JsonNode Answer(IProviderCodec provider, IClientCodec client, string providerBody) =>
        JsonNode.Parse(client.EncodeResponse(provider.DecodeResponse(Encoding.UTF8.GetBytes(providerBody)), "client-model"))!;

    /// <summary>Provider SSE bytes → parser → provider stream decoder → client stream encoder; the client's SSE text.</summary>
    public static string Stream(IProviderCodec provider, IClientCodec client, string clientRequestBody, string providerSse)
    {
        var request = client.DecodeRequest(Encoding.UTF8.GetBytes(clientRequestBody));
        var sseEvents = new List<SseEvent>();
        new SseParser().Feed(Encoding.UTF8.GetBytes(providerSse), sseEvents);
        var decoder = provider.CreateStreamDecoder();
        var encoder = client.CreateStreamEncoder(request);
        var output = new ArrayBufferWriter<byte>();
        var events = new List<StreamEvent>();
        foreach (var sseEvent in sseEvents)
        {
            events.Clear();
            decoder.Decode(sseEvent, events);
            foreach (var streamEvent in events)
            {
                encoder.Write(streamEvent, output);
            }
        }

        events.Clear();
        decoder.Complete(events);
        foreach (var streamEvent in events)
        {
            encoder.Write(streamEvent, output);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>The client SSE text back as (event name, parsed data) pairs; "[DONE]" data becomes a null node.</summary>
    public static List<(string? Name, JsonNode? Data)> Events(string sse)
    {
        var parsed = new List<SseEvent>();
        new SseParser().Feed(Encoding.UTF8.GetBytes(sse), parsed);
        return parsed
            .Select(e => (e.Name, e.DataIs("[DONE]"u8) ? null : JsonNode.Parse(e.Data.Span)))
            .ToList();
    }
}
