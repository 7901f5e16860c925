using System.Buffers;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Anthropic;

/// <summary>
/// Anthropic's error shape, <c>{"type":"error","error":{"type":…,"message":…}}</c>, both ways: written for our clients
/// (so the official SDKs raise their typed errors) and read from Anthropic targets.
/// </summary>
internal static class AnthropicErrors
{
    public static string TypeOf(FaultKind kind) => kind switch
    {
        FaultKind.InvalidRequest => "invalid_request_error",
        FaultKind.Authentication => "authentication_error",
        FaultKind.Permission => "permission_error",
        FaultKind.NotFound => "not_found_error",
        FaultKind.RequestTooLarge => "request_too_large",
        FaultKind.RateLimited => "rate_limit_error",
        // Anthropic has no "unavailable": its clients back off on overloaded_error, which is what a 503 asks for.
        FaultKind.Overloaded or FaultKind.Unavailable => "overloaded_error",
        FaultKind.Timeout => "timeout_error",
        _ => "api_error",
    };

    /// <summary>The kind and the status Anthropic sends with an error type (in a stream there is no status to read).</summary>
    public static (FaultKind Kind, int Status)? FromType(string? type) => type switch
    {
        "invalid_request_error" => (FaultKind.InvalidRequest, 400),
        "authentication_error" => (FaultKind.Authentication, 401),
        "billing_error" => (FaultKind.Permission, 402),
        "permission_error" => (FaultKind.Permission, 403),
        "not_found_error" => (FaultKind.NotFound, 404),
        "request_too_large" => (FaultKind.RequestTooLarge, 413),
        "rate_limit_error" => (FaultKind.RateLimited, 429),
        "api_error" => (FaultKind.Server, 500),
        "timeout_error" => (FaultKind.Timeout, 504),
        "overloaded_error" => (FaultKind.Overloaded, 529),
        _ => null,
    };

    public static byte[] Encode(ApiFault fault)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(fault, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] EncodeStreamEvent(ApiFault fault)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteStreamEvent(fault, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteStreamEvent(ApiFault fault, IBufferWriter<byte> output)
    {
        var json = new ArrayBufferWriter<byte>(256);
        Write(fault, json);
        SseWriter.Write(output, "error"u8, json.WrittenSpan);
    }

    private static void Write(ApiFault fault, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, AnthropicWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteStartObject("error"u8);
        writer.WriteString("type"u8, TypeOf(fault.Kind));
        writer.WriteString("message"u8, fault.Message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Reads an error body; a body that is not Anthropic's shape yields a fault from the status alone.</summary>
    public static ApiFault Decode(int status, ReadOnlySpan<byte> body)
    {
        if (TryRead(body, out var type, out var message))
        {
            var kind = FromType(type)?.Kind ?? ApiFault.KindOf(status);
            return new ApiFault(status, kind, message ?? GenericMessage(status));
        }

        return new ApiFault(status, ApiFault.KindOf(status), GenericMessage(status));
    }

    /// <summary>Reads an in-stream error event, whose status is implied by its type.</summary>
    public static ApiFault DecodeStreamError(ReadOnlySpan<byte> data)
    {
        TryRead(data, out var type, out var message);
        var (kind, status) = FromType(type) ?? (FaultKind.Server, 500);
        return new ApiFault(status, kind, message ?? "The upstream stream reported an error.");
    }

    private static bool TryRead(ReadOnlySpan<byte> body, out string? type, out string? message)
    {
        type = null;
        message = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String)
            {
                type = t.GetString();
            }

            if (error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
            {
                message = m.GetString();
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string GenericMessage(int status) => $"The upstream answered HTTP {status}.";
}
