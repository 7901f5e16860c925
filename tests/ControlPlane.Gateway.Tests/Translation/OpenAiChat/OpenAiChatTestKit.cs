using System.Buffers;
using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.OpenAiChat;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Translation.OpenAiChat;

internal static class OpenAiChatTestKit
{
    /// <summary>2026-01-01T00:00:00Z.</summary>
    public const long Created = 1767225600;

    public static OpenAiChatCodec Codec(OpenAiChatDialect dialect = OpenAiChatDialect.OpenAi) =>
        new(dialect, new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Created)));

    /// <summary>JSON written with single quotes for readability.</summary>
    public static byte[] Json(string singleQuoted) => Encoding.UTF8.GetBytes(singleQuoted.Replace('\'', '"'));

    public static string Q(string singleQuoted) => singleQuoted.Replace('\'', '"');

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    public static ChatRequest Decode(string singleQuoted) => Codec().DecodeRequest(Json(singleQuoted));

    public static string Encode(ChatRequest request, OpenAiChatDialect dialect = OpenAiChatDialect.OpenAi) =>
        Text(Codec(dialect).EncodeRequest(request, "gpt-target").Body);

    public static string EncodeStream(ChatRequest request, params StreamEvent[] events)
    {
        var encoder = Codec().CreateStreamEncoder(request);
        var output = new ArrayBufferWriter<byte>();
        foreach (var e in events)
        {
            encoder.Write(e, output);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>Feeds raw SSE text through the parser and a decoder; returns the events and Complete()'s answer.</summary>
    public static (List<StreamEvent> Events, bool Complete) DecodeStream(string sse)
    {
        var parser = new SseParser();
        var sseEvents = new List<SseEvent>();
        parser.Feed(Encoding.UTF8.GetBytes(sse), sseEvents);
        var decoder = Codec().CreateStreamDecoder();
        var events = new List<StreamEvent>();
        foreach (var e in sseEvents)
        {
            decoder.Decode(e, events);
        }

        var complete = decoder.Complete(events);
        return (events, complete);
    }
}
