using System.Buffers;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.OpenAiChat;

/// <summary>OpenAI's error shape, <c>{"error":{"message","type","param","code"}}</c>, both ways.</summary>
internal static class OpenAiChatErrors
{
    public static byte[] Encode(ApiFault fault)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(fault, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>data: {"error":…}</c>: what OpenAI sends when a stream fails after it began; the SDK raises an APIError
    /// for a chunk carrying <c>error</c>.
    /// </summary>
    public static byte[] EncodeStreamEvent(ApiFault fault)
    {
        var json = new ArrayBufferWriter<byte>(256);
        Write(fault, json);
        var output = new ArrayBufferWriter<byte>(json.WrittenCount + 8);
        SseWriter.WriteData(output, json.WrittenSpan);
        return output.WrittenSpan.ToArray();
    }

    public static void Write(ApiFault fault, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, OpenAiChatJson.Writer);
        writer.WriteStartObject();
        writer.WriteStartObject("error");
        writer.WriteString("message", fault.Message);
        writer.WriteString("type", TypeOf(fault.Kind));
        writer.WriteNull("param");
        var code = CodeOf(fault);
        if (code is null)
        {
            writer.WriteNull("code");
        }
        else
        {
            writer.WriteString("code", code);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    // OpenAI answers a 403 (model not available to the project, unsupported region) as invalid_request_error and a
    // rate limit with type "requests"; the SDKs pick their exception class from the status, not the type.
    // One wording for both OpenAI APIs: the Responses API's errors use the same shape and types.
    internal static string TypeOf(FaultKind kind) => kind switch
    {
        FaultKind.InvalidRequest or FaultKind.NotFound or FaultKind.RequestTooLarge or FaultKind.Permission => "invalid_request_error",
        FaultKind.Authentication => "authentication_error",
        FaultKind.RateLimited => "requests",
        _ => "server_error",
    };

    internal static string? CodeOf(ApiFault fault) => fault.Code ?? (fault.Kind == FaultKind.RateLimited ? "rate_limit_exceeded" : null);

    /// <summary>
    /// Reads OpenAI's error shape and the variants of compatible servers: <c>{"error":"text"}</c> (Ollama, llamafile),
    /// <c>{"object":"error","message":…,"code":400}</c> (vLLM). Anything unreadable falls back to the status.
    /// </summary>
    public static ApiFault Decode(int status, ReadOnlySpan<byte> body)
    {
        var fallback = new ApiFault(status, ApiFault.KindOf(status), $"The provider answered with HTTP status {status}.");
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            return FromJson(status, doc.RootElement) ?? fallback;
        }
        catch (JsonException)
        {
            return fallback;
        }
    }

    /// <summary>The fault a JSON error object describes, or null when it is not one.</summary>
    public static ApiFault? FromJson(int status, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var source = root;
        if (root.TryGetProperty("error", out var error))
        {
            if (error.ValueKind == JsonValueKind.String)
            {
                return new ApiFault(status, ApiFault.KindOf(status), error.GetString() is { Length: > 0 } text ? text : $"HTTP status {status}.");
            }

            if (error.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            source = error;
        }

        var message = source.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        if (message is null)
        {
            return null;
        }

        var code = source.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        return new ApiFault(status, ApiFault.KindOf(status), message, code);
    }

    /// <summary>
    /// The status an in-stream error stands for: OpenAI's stream errors carry no status, only a type and a code.
    /// </summary>
    public static int StatusOf(JsonElement error)
    {
        var type = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var code = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var n) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var numeric) && numeric is >= 400 and < 600)
        {
            return numeric;
        }

        return (type, code) switch
        {
            (_, "rate_limit_exceeded") or ("requests" or "tokens" or "rate_limit_error" or "insufficient_quota", _) => 429,
            (_, "server_is_overloaded") or ("service_unavailable_error", _) => 503,
            ("invalid_request_error", _) => 400,
            ("authentication_error", _) => 401,
            _ => 500,
        };
    }
}
