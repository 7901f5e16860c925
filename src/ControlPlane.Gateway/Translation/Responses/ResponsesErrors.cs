using System.Buffers;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Responses;

/// <summary>
/// OpenAI's error shapes as the Responses API uses them: the body <c>{"error":{"message","type","param","code"}}</c>
/// (the same as Chat Completions) and the in-stream <c>event: error</c>. The SDK picks its exception class from the
/// HTTP status; the type and code are for people reading logs.
/// </summary>
internal static class ResponsesErrors
{
    public static byte[] Body(ApiFault fault)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", fault.Message);
            writer.WriteString("type", TypeOf(fault.Kind));
            writer.WriteNull("param");
            if (CodeOf(fault) is { } code)
            {
                writer.WriteString("code", code);
            }
            else
            {
                writer.WriteNull("code");
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The data of an <c>error</c> stream event (the SDK raises it as an APIError).</summary>
    public static void WriteStreamError(Utf8JsonWriter writer, ApiFault fault, int sequenceNumber)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "error");
        writer.WriteString("code", CodeOf(fault) ?? TypeOf(fault.Kind));
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

    private static string TypeOf(FaultKind kind) => kind switch
    {
        FaultKind.InvalidRequest or FaultKind.NotFound or FaultKind.RequestTooLarge => "invalid_request_error",
        FaultKind.Authentication => "authentication_error",
        FaultKind.Permission => "permission_error",
        FaultKind.RateLimited => "rate_limit_error",
        _ => "server_error",
    };

    private static string? CodeOf(ApiFault fault) => fault.Code ?? fault.Kind switch
    {
        FaultKind.RateLimited => "rate_limit_exceeded",
        _ => null,
    };
}
