using System.Buffers;
using System.Text.Json;
using ControlPlane.Gateway.Translation.OpenAiChat;

namespace ControlPlane.Gateway.Translation.Responses;

/// <summary>
/// OpenAI's error shapes as the Responses API uses them: the body <c>{"error":{"message","type","param","code"}}</c>
/// (the same as Chat Completions) and the in-stream <c>event: error</c>. The SDK picks its exception class from the
/// HTTP status; the type and code are for people reading logs.
/// </summary>
internal static class ResponsesErrors
{
    /// <summary>The error body: the same as Chat Completions', written by the one OpenAI error writer.</summary>
    public static byte[] Body(ApiFault fault) => OpenAiChatErrors.Encode(fault);

    /// <summary>The data of an <c>error</c> stream event (the SDK raises it as an APIError).</summary>
    public static void WriteStreamError(Utf8JsonWriter writer, ApiFault fault, int sequenceNumber)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "error");
        writer.WriteString("code", OpenAiChatErrors.CodeOf(fault) ?? OpenAiChatErrors.TypeOf(fault.Kind));
        writer.WriteString("message", fault.Message);
        writer.WriteNull("param");
        writer.WriteNumber("sequence_number", sequenceNumber);
        writer.WriteEndObject();
    }

    /// <summary>A complete <c>event: error</c> with its blank line.</summary>
    public static byte[] StreamEvent(ApiFault fault, int sequenceNumber)
    {
        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json))
        {
            WriteStreamError(writer, fault, sequenceNumber);
        }

        var output = new ArrayBufferWriter<byte>(json.WrittenCount + 32);
        SseWriter.Write(output, "error"u8, json.WrittenSpan);
        return output.WrittenSpan.ToArray();
    }
}
