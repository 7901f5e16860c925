using System.Text.Encodings.Web;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Anthropic;

/// <summary>
/// Small pieces of the Messages wire format shared by the response and stream codecs: stop reasons, usage, ids.
/// Internal usage counts input tokens the OpenAI way (cache reads and writes included, cached ones also reported
/// apart); Anthropic's <c>input_tokens</c> counts only the uncached rest, so both directions convert here.
/// </summary>
internal static class AnthropicWire
{
    /// <summary>
    /// JSON as Anthropic writes it: non-ASCII text and quotes stay readable rather than \uXXXX-escaped (the bodies
    /// are never embedded in HTML, which is what the default encoder guards against).
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string StopReason(FinishReason finish) => finish switch
    {
        FinishReason.MaxTokens => "max_tokens",
        FinishReason.StopSequence => "stop_sequence",
        FinishReason.ToolUse => "tool_use",
        FinishReason.Refusal => "refusal",
        _ => "end_turn",
    };

    /// <summary>A stop reason from Anthropic; unknown or absent ones read as a natural end.</summary>
    public static FinishReason Finish(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => FinishReason.MaxTokens,
        "stop_sequence" => FinishReason.StopSequence,
        "tool_use" => FinishReason.ToolUse,
        "refusal" => FinishReason.Refusal,
        _ => FinishReason.EndTurn, // end_turn, pause_turn (a server-tool loop paused: the turn so far is complete)
    };

    /// <summary>Anthropic message ids start with <c>msg_</c>; ids from other APIs get the prefix.</summary>
    public static string MessageId(string id) => id.StartsWith("msg_", StringComparison.Ordinal) ? id : "msg_" + id;

    /// <summary>Writes <c>input_tokens</c>, the two cache counts and <c>output_tokens</c> as Anthropic reports them.</summary>
    public static void WriteUsage(Utf8JsonWriter writer, Usage usage)
    {
        var cacheRead = usage.CachedInputTokens ?? 0;
        var cacheCreation = usage.CacheCreationTokens ?? 0;
        writer.WriteNumber("input_tokens"u8, Math.Max(0, usage.InputTokens - cacheRead - cacheCreation));
        writer.WriteNumber("cache_creation_input_tokens"u8, cacheCreation);
        writer.WriteNumber("cache_read_input_tokens"u8, cacheRead);
        writer.WriteNumber("output_tokens"u8, usage.OutputTokens);
    }

    /// <summary>Reads an Anthropic <c>usage</c> object; absent counts are zero (cache counts stay null).</summary>
    public static Usage ReadUsage(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return Usage.None;
        }

        var input = Count(usage, "input_tokens") ?? 0;
        var output = Count(usage, "output_tokens") ?? 0;
        var read = Count(usage, "cache_read_input_tokens");
        var creation = Count(usage, "cache_creation_input_tokens");
        return new Usage(input + (read ?? 0) + (creation ?? 0), output, read, creation);
    }

    public static int? Count(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    /// <summary>
    /// Writes a tool call's arguments as the <c>input</c> object. Arguments that are not a JSON object (a model on
    /// another API can emit broken JSON) become <c>{}</c>: Anthropic clients require an object here.
    /// </summary>
    public static void WriteToolInput(Utf8JsonWriter writer, string arguments)
    {
        writer.WritePropertyName("input"u8);
        if (IsJsonObject(arguments))
        {
            writer.WriteRawValue(arguments, skipInputValidation: true);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
    }

    public static bool IsJsonObject(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
