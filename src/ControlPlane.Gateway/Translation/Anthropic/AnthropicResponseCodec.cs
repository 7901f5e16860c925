using System.Buffers;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Anthropic;

/// <summary>Complete (non-streamed) Messages answers: written for our clients, read from Anthropic targets.</summary>
internal static class AnthropicResponseCodec
{
    public static byte[] Encode(ChatResponse response, string model)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, AnthropicWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, AnthropicWire.MessageId(response.Id));
            writer.WriteString("type"u8, "message"u8);
            writer.WriteString("role"u8, "assistant"u8);
            writer.WriteString("model"u8, model);
            writer.WriteStartArray("content"u8);
            foreach (var part in response.Content)
            {
                WriteBlock(writer, part);
            }

            writer.WriteEndArray();
            writer.WriteString("stop_reason"u8, AnthropicWire.StopReason(response.Finish));
            if (response.Finish == FinishReason.StopSequence && response.StopSequence is { } stop)
            {
                writer.WriteString("stop_sequence"u8, stop);
            }
            else
            {
                writer.WriteNull("stop_sequence"u8);
            }

            writer.WriteStartObject("usage"u8);
            AnthropicWire.WriteUsage(writer, response.Usage);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteBlock(Utf8JsonWriter writer, ContentPart part)
    {
        switch (part)
        {
            case TextPart text:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "text"u8);
                writer.WriteString("text"u8, text.Text);
                writer.WriteEndObject();
                break;
            case ToolCallPart call:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "tool_use"u8);
                writer.WriteString("id"u8, call.Id);
                writer.WriteString("name"u8, call.Name);
                AnthropicWire.WriteToolInput(writer, call.Arguments);
                writer.WriteEndObject();
                break;
            case ThinkingPart { Signature: null or "" }:
                break; // unsigned reasoning from another API: Anthropic would refuse it when the client sends it back
            case ThinkingPart thinking:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "thinking"u8);
                writer.WriteString("thinking"u8, thinking.Text);
                writer.WriteString("signature"u8, thinking.Signature ?? "");
                writer.WriteEndObject();
                break;
            default:
                break; // images and tool results are never part of an answer
        }
    }

    public static ChatResponse Decode(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedResponseException("Anthropic answer is not a JSON object.");
            }

            var id = Text(root, "id") ?? throw new MalformedResponseException("Anthropic answer has no id.");
            var model = Text(root, "model") ?? "";
            if (!root.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
            {
                throw new MalformedResponseException("Anthropic answer has no content array.");
            }

            var parts = new List<ContentPart>();
            foreach (var block in content.EnumerateArray())
            {
                if (ReadBlock(block) is { } part)
                {
                    parts.Add(part);
                }
            }

            var usage = root.TryGetProperty("usage", out var u) ? AnthropicWire.ReadUsage(u) : Usage.None;
            return new ChatResponse(id, model, parts, AnthropicWire.Finish(Text(root, "stop_reason")), Text(root, "stop_sequence"), usage);
        }
        catch (JsonException e)
        {
            throw new MalformedResponseException("Anthropic answer is not valid JSON: " + e.Message);
        }
        catch (InvalidOperationException e)
        {
            throw new MalformedResponseException("Anthropic answer has an unexpected shape: " + e.Message);
        }
    }

    private static ContentPart? ReadBlock(JsonElement block)
    {
        switch (Text(block, "type"))
        {
            case "text":
                return new TextPart(Text(block, "text") ?? throw new MalformedResponseException("A text block has no text."));
            case "tool_use":
                var id = Text(block, "id") ?? throw new MalformedResponseException("A tool_use block has no id.");
                var name = Text(block, "name") ?? throw new MalformedResponseException("A tool_use block has no name.");
                var input = block.TryGetProperty("input", out var i) && i.ValueKind == JsonValueKind.Object ? i.GetRawText() : "{}";
                return new ToolCallPart(id, name, input);
            case "thinking":
                return new ThinkingPart(Text(block, "thinking") ?? "", Text(block, "signature"));
            default:
                // redacted_thinking (unreadable), server tool blocks (we send no server tools): nothing to carry over.
                return null;
        }
    }

    private static string? Text(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
