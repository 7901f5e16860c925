using System.Buffers;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Anthropic;

/// <summary>
/// Writes a <see cref="ChatRequest"/> as a Messages API request for an Anthropic target, fixing up what the Messages
/// API is stricter about than the others: a required <c>max_tokens</c>, strictly alternating roles with tool results
/// first in the turn after the calls, and no sampling parameters beside extended thinking.
/// </summary>
internal static class AnthropicRequestEncoder
{
    private static readonly byte[] s_emptyObjectSchema = """{"type":"object","properties":{}}"""u8.ToArray();
    private static readonly byte[] s_anyObjectSchema = """{"type":"object"}"""u8.ToArray();

    public static ProviderRequest Encode(ChatRequest request, string model, int defaultMaxTokens)
    {
        var maxTokens = request.MaxTokens ?? defaultMaxTokens;
        var turns = Turns(request.Messages);
        var budget = ThinkingBudget(request, maxTokens, turns);

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, AnthropicWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("model"u8, model);
            writer.WriteNumber("max_tokens"u8, maxTokens);
            WriteSystem(writer, request.System);
            WriteMessages(writer, turns);
            WriteTools(writer, request);

            if (budget is { } b)
            {
                writer.WriteStartObject("thinking"u8);
                writer.WriteString("type"u8, "enabled"u8);
                writer.WriteNumber("budget_tokens"u8, b);
                writer.WriteEndObject();
                // Thinking accepts only the default temperature and no top_p/top_k; asking for 1 is the one legal value.
                if (request.Temperature == 1)
                {
                    writer.WriteNumber("temperature"u8, 1);
                }
            }
            else
            {
                WriteOptional(writer, "temperature"u8, request.Temperature);
                WriteOptional(writer, "top_p"u8, request.TopP);
                if (request.TopK is { } topK)
                {
                    writer.WriteNumber("top_k"u8, topK);
                }
            }

            if (request.StopSequences.Count > 0)
            {
                writer.WriteStartArray("stop_sequences"u8);
                foreach (var stop in request.StopSequences)
                {
                    writer.WriteStringValue(stop);
                }

                writer.WriteEndArray();
            }

            WriteOutputFormat(writer, request.ResponseFormat);

            if (request.User is { } user)
            {
                writer.WriteStartObject("metadata"u8);
                writer.WriteString("user_id"u8, user);
                writer.WriteEndObject();
            }

            if (request.Stream)
            {
                writer.WriteBoolean("stream"u8, true);
            }

            writer.WriteEndObject();
        }

        return new ProviderRequest("/v1/messages", buffer.WrittenSpan.ToArray());
    }

    /// <summary>
    /// The thinking budget to send, or null for none. Anthropic wants 1024 ≤ budget &lt; max_tokens; it refuses
    /// thinking together with a forced tool choice (the forced call is the stronger instruction, so thinking yields);
    /// and inside a tool loop it wants the last assistant turn to open with its signed thinking, which a history from
    /// another API never has, so there thinking yields too rather than the request being refused.
    /// </summary>
    private static int? ThinkingBudget(ChatRequest request, int maxTokens, List<(ChatRole Role, List<ContentPart> Parts)> turns)
    {
        if (ReasoningBudgets.BudgetOf(request.Reasoning) is not { } wanted || maxTokens <= ReasoningBudgets.MinimumBudget)
        {
            return null;
        }

        if (request.ToolChoice?.Kind is ToolChoiceKind.Required or ToolChoiceKind.Tool)
        {
            return null;
        }

        var lastAssistant = turns.FindLast(t => t.Role == ChatRole.Assistant).Parts;
        if (lastAssistant is not null && lastAssistant.Any(p => p is ToolCallPart) && lastAssistant[0] is not ThinkingPart)
        {
            return null;
        }

        return Math.Min(Math.Max(wanted, ReasoningBudgets.MinimumBudget), maxTokens - 1);
    }

    private static void WriteSystem(Utf8JsonWriter writer, IReadOnlyList<string> system)
    {
        if (system.Count == 1)
        {
            writer.WriteString("system"u8, system[0]);
        }
        else if (system.Count > 1)
        {
            writer.WriteStartArray("system"u8);
            foreach (var text in system)
            {
                writer.WriteStartObject();
                writer.WriteString("type"u8, "text"u8);
                writer.WriteString("text"u8, text);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }

    private static void WriteMessages(Utf8JsonWriter writer, List<(ChatRole Role, List<ContentPart> Parts)> turns)
    {
        writer.WriteStartArray("messages"u8);
        foreach (var (role, parts) in turns)
        {
            writer.WriteStartObject();
            writer.WriteString("role"u8, role == ChatRole.User ? "user"u8 : "assistant"u8);
            writer.WriteStartArray("content"u8);
            foreach (var part in parts)
            {
                WritePart(writer, part);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Messages as Anthropic accepts them: consecutive same-role messages merged into one turn (OpenAI sends each
    /// tool result as its own message), tool results first in their turn, unsigned thinking left out, and turns
    /// that end up empty removed.
    /// </summary>
    private static List<(ChatRole Role, List<ContentPart> Parts)> Turns(IReadOnlyList<ChatMessage> messages)
    {
        var turns = new List<(ChatRole Role, List<ContentPart> Parts)>(messages.Count);
        foreach (var message in messages)
        {
            List<ContentPart>? parts = null;
            foreach (var part in message.Content)
            {
                // Anthropic verifies thinking signatures; reasoning from another API has none and would be refused.
                if (part is ThinkingPart thinking && (string.IsNullOrEmpty(thinking.Signature) || message.Role != ChatRole.Assistant))
                {
                    continue;
                }

                if (turns.Count > 0 && turns[^1].Role == message.Role)
                {
                    parts ??= turns[^1].Parts;
                }

                if (parts is null)
                {
                    parts = [];
                    turns.Add((message.Role, parts));
                }

                parts.Add(part);
            }
        }

        foreach (var (role, parts) in turns)
        {
            if (role == ChatRole.User)
            {
                // Stable: results keep their order, and so does the text that follows them.
                var results = parts.Where(p => p is ToolResultPart).ToList();
                if (results.Count > 0 && results.Count < parts.Count)
                {
                    var rest = parts.Where(p => p is not ToolResultPart).ToList();
                    parts.Clear();
                    parts.AddRange(results);
                    parts.AddRange(rest);
                }
            }
        }

        return turns;
    }

    private static void WritePart(Utf8JsonWriter writer, ContentPart part)
    {
        switch (part)
        {
            case TextPart text:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "text"u8);
                writer.WriteString("text"u8, text.Text);
                writer.WriteEndObject();
                break;
            case ImagePart image:
                WriteImage(writer, image);
                break;
            case ToolCallPart call:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "tool_use"u8);
                writer.WriteString("id"u8, call.Id);
                writer.WriteString("name"u8, call.Name);
                writer.WritePropertyName("input"u8);
                if (string.IsNullOrWhiteSpace(call.Arguments))
                {
                    writer.WriteRawValue("{}"u8, skipInputValidation: true); // a call without arguments
                }
                else if (AnthropicWire.IsJsonObject(call.Arguments))
                {
                    writer.WriteRawValue(call.Arguments, skipInputValidation: true);
                }
                else
                {
                    throw new NotTranslatableException("tool_arguments", $"Tool call '{call.Id}' has arguments that are not a JSON object; Anthropic needs an object.");
                }

                writer.WriteEndObject();
                break;
            case ToolResultPart result:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "tool_result"u8);
                writer.WriteString("tool_use_id"u8, result.ToolCallId);
                if (result.Content is [TextPart only])
                {
                    writer.WriteString("content"u8, only.Text);
                }
                else if (result.Content.Count > 0)
                {
                    writer.WriteStartArray("content"u8);
                    foreach (var inner in result.Content)
                    {
                        if (inner is TextPart or ImagePart)
                        {
                            WritePart(writer, inner);
                        }
                    }

                    writer.WriteEndArray();
                }

                if (result.IsError)
                {
                    writer.WriteBoolean("is_error"u8, true);
                }

                writer.WriteEndObject();
                break;
            case ThinkingPart thinking:
                writer.WriteStartObject();
                writer.WriteString("type"u8, "thinking"u8);
                writer.WriteString("thinking"u8, thinking.Text);
                writer.WriteString("signature"u8, thinking.Signature);
                writer.WriteEndObject();
                break;
            default:
                throw new NotTranslatableException("content", $"Anthropic cannot express content of type {part.GetType().Name}.");
        }
    }

    private static void WriteImage(Utf8JsonWriter writer, ImagePart image)
    {
        var (mediaType, data, url) = (image.MediaType, image.Data, image.Url);
        // OpenAI clients inline images as data: URLs; Anthropic's url source fetches only http(s).
        if (data is null && url is not null && url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma < 0 ? "" : url[5..comma];
            if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                throw new NotTranslatableException("image_url", "Anthropic takes inline images only as base64 data.");
            }

            mediaType = header[..^";base64".Length];
            data = url[(comma + 1)..];
        }

        writer.WriteStartObject();
        writer.WriteString("type"u8, "image"u8);
        writer.WriteStartObject("source"u8);
        if (data is not null)
        {
            writer.WriteString("type"u8, "base64"u8);
            writer.WriteString("media_type"u8, mediaType ?? "image/png");
            writer.WriteString("data"u8, data);
        }
        else
        {
            writer.WriteString("type"u8, "url"u8);
            writer.WriteString("url"u8, url ?? throw new NotTranslatableException("image", "An image has neither data nor a URL."));
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter writer, ChatRequest request)
    {
        if (request.Tools.Count > 0)
        {
            writer.WriteStartArray("tools"u8);
            foreach (var tool in request.Tools)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, tool.Name);
                if (!string.IsNullOrEmpty(tool.Description))
                {
                    writer.WriteString("description"u8, tool.Description);
                }

                writer.WritePropertyName("input_schema"u8);
                if (tool.Parameters is { ValueKind: JsonValueKind.Object } schema)
                {
                    schema.WriteTo(writer);
                }
                else
                {
                    writer.WriteRawValue(s_emptyObjectSchema, skipInputValidation: true);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        var choice = request.ToolChoice;
        var noParallel = request.ParallelToolCalls == false && request.Tools.Count > 0;
        if (choice is null && !noParallel)
        {
            return;
        }

        if (choice is { Kind: ToolChoiceKind.None or ToolChoiceKind.Auto } && request.Tools.Count == 0)
        {
            return; // says nothing without tools, and Anthropic refuses a tool_choice without tools
        }

        writer.WriteStartObject("tool_choice"u8);
        switch (choice?.Kind ?? ToolChoiceKind.Auto)
        {
            case ToolChoiceKind.None:
                writer.WriteString("type"u8, "none"u8);
                noParallel = false; // "none" takes no other field
                break;
            case ToolChoiceKind.Required:
                writer.WriteString("type"u8, "any"u8);
                break;
            case ToolChoiceKind.Tool:
                writer.WriteString("type"u8, "tool"u8);
                writer.WriteString("name"u8, choice!.Name ?? throw new NotTranslatableException("tool_choice", "A forced tool choice names no tool."));
                break;
            default:
                writer.WriteString("type"u8, "auto"u8);
                break;
        }

        if (noParallel)
        {
            writer.WriteBoolean("disable_parallel_tool_use"u8, true);
        }

        writer.WriteEndObject();
    }

    private static void WriteOutputFormat(Utf8JsonWriter writer, ResponseFormat? format)
    {
        if (format is null || format.Kind == ResponseFormatKind.Text)
        {
            return;
        }

        // Structured outputs: output_config.format (the first beta spelled it output_format).
        writer.WriteStartObject("output_config"u8);
        writer.WriteStartObject("format"u8);
        writer.WriteString("type"u8, "json_schema"u8);
        writer.WritePropertyName("schema"u8);
        if (format.Kind == ResponseFormatKind.JsonSchema && format.Schema is { ValueKind: JsonValueKind.Object } schema)
        {
            schema.WriteTo(writer);
        }
        else
        {
            writer.WriteRawValue(s_anyObjectSchema, skipInputValidation: true);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
    }
}
