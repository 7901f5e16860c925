using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.OpenAiChat;

/// <summary>Encodes the internal request as a Chat Completions body for OpenAI or an OpenAI-compatible server.</summary>
internal static class OpenAiChatRequestEncoder
{
    /// <summary>api.openai.com rejects more stop sequences than this.</summary>
    public const int MaxStopSequences = 4;

    public static byte[] Encode(ChatRequest request, string model, OpenAiChatDialect dialect)
    {
        if (dialect == OpenAiChatDialect.OpenAi && request.StopSequences.Count > MaxStopSequences)
        {
            throw new NotTranslatableException(
                "stop_sequences", $"OpenAI accepts at most {MaxStopSequences} stop sequences; the request has {request.StopSequences.Count}.");
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, OpenAiChatJson.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            WriteMessages(writer, request);
            WriteTools(writer, request);
            WriteOptions(writer, request, dialect);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteMessages(Utf8JsonWriter writer, ChatRequest request)
    {
        writer.WriteStartArray("messages");
        if (request.System.Count > 0)
        {
            writer.WriteStartObject();
            writer.WriteString("role", "system");
            writer.WriteString("content", string.Join("\n\n", request.System));
            writer.WriteEndObject();
        }

        foreach (var message in request.Messages)
        {
            if (message.Role == ChatRole.Assistant)
            {
                WriteAssistant(writer, message);
            }
            else
            {
                WriteUser(writer, message);
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteUser(Utf8JsonWriter writer, ChatMessage message)
    {
        // Tool messages must follow the assistant's tool calls directly, so the results go first.
        var rest = new List<ContentPart>();
        foreach (var part in message.Content)
        {
            if (part is not ToolResultPart result)
            {
                rest.Add(part);
                continue;
            }

            writer.WriteStartObject();
            writer.WriteString("role", "tool");
            writer.WriteString("tool_call_id", result.ToolCallId);
            writer.WriteString("content", TextOf(result.Content, "\n"));
            writer.WriteEndObject();

            // A tool message holds text only: its images follow in the next user message, which the model reads
            // right after the result (documented as an approximation).
            rest.AddRange(result.Content.OfType<ImagePart>());
        }

        var visible = rest.Where(p => p is TextPart or ImagePart).ToList();
        if (rest.Count > 0 && visible.Count == 0)
        {
            throw new NotTranslatableException("user_content", "A user turn holds content an OpenAI user message cannot carry.");
        }

        if (visible.Count == 0)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("role", "user");
        if (visible is [TextPart only])
        {
            writer.WriteString("content", only.Text);
        }
        else
        {
            writer.WriteStartArray("content");
            foreach (var part in visible)
            {
                writer.WriteStartObject();
                if (part is TextPart text)
                {
                    writer.WriteString("type", "text");
                    writer.WriteString("text", text.Text);
                }
                else
                {
                    var image = (ImagePart)part;
                    writer.WriteString("type", "image_url");
                    writer.WriteStartObject("image_url");
                    writer.WriteString("url", image.Url ?? $"data:{image.MediaType};base64,{image.Data}");
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteAssistant(Utf8JsonWriter writer, ChatMessage message)
    {
        if (message.Content.Any(p => p is ImagePart or ToolResultPart))
        {
            throw new NotTranslatableException("assistant_content", "An OpenAI assistant message holds only text and tool calls.");
        }

        var calls = message.Content.OfType<ToolCallPart>().ToList();
        var hasText = message.Content.Any(p => p is TextPart);
        writer.WriteStartObject();
        writer.WriteString("role", "assistant");

        // Thinking is dropped from history: only Anthropic can take it back. A turn with tool calls and no text
        // carries content null, as OpenAI itself returns it.
        if (hasText || calls.Count == 0)
        {
            writer.WriteString("content", TextOf(message.Content, ""));
        }
        else
        {
            writer.WriteNull("content");
        }

        if (calls.Count > 0)
        {
            writer.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                writer.WriteStartObject();
                writer.WriteString("id", call.Id);
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", call.Name);
                writer.WriteString("arguments", call.Arguments);
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter writer, ChatRequest request)
    {
        if (request.Tools.Count > 0)
        {
            writer.WriteStartArray("tools");
            foreach (var tool in request.Tools)
            {
                writer.WriteStartObject();
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                writer.WriteString("name", tool.Name);
                if (tool.Description is not null)
                {
                    writer.WriteString("description", tool.Description);
                }

                if (tool.Parameters is { } parameters)
                {
                    writer.WritePropertyName("parameters");
                    parameters.WriteTo(writer);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (request.ToolChoice is { } choice)
        {
            switch (choice.Kind)
            {
                case ToolChoiceKind.Auto:
                    writer.WriteString("tool_choice", "auto");
                    break;
                case ToolChoiceKind.None:
                    writer.WriteString("tool_choice", "none");
                    break;
                case ToolChoiceKind.Required:
                    writer.WriteString("tool_choice", "required");
                    break;
                default:
                    writer.WriteStartObject("tool_choice");
                    writer.WriteString("type", "function");
                    writer.WriteStartObject("function");
                    writer.WriteString("name", choice.Name);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                    break;
            }
        }

        // OpenAI rejects parallel_tool_calls without tools.
        if (request.ParallelToolCalls is { } parallel && request.Tools.Count > 0)
        {
            writer.WriteBoolean("parallel_tool_calls", parallel);
        }
    }

    private static void WriteOptions(Utf8JsonWriter writer, ChatRequest request, OpenAiChatDialect dialect)
    {
        if (request.MaxTokens is { } max)
        {
            writer.WriteNumber(dialect == OpenAiChatDialect.OpenAi ? "max_completion_tokens" : "max_tokens", max);
        }

        if (request.Temperature is { } temperature)
        {
            writer.WriteNumber("temperature", temperature);
        }

        if (request.TopP is { } topP)
        {
            writer.WriteNumber("top_p", topP);
        }

        // TopK has no Chat Completions field: it is left out (see docs/translation/openai-chat.md).
        if (request.StopSequences.Count > 0)
        {
            writer.WriteStartArray("stop");
            foreach (var stop in request.StopSequences)
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
        }

        if (request.ResponseFormat is { } format)
        {
            writer.WriteStartObject("response_format");
            switch (format.Kind)
            {
                case ResponseFormatKind.Text:
                    writer.WriteString("type", "text");
                    break;
                case ResponseFormatKind.JsonObject:
                    writer.WriteString("type", "json_object");
                    break;
                default:
                    writer.WriteString("type", "json_schema");
                    writer.WriteStartObject("json_schema");
                    writer.WriteString("name", format.Name ?? "response"); // required by OpenAI
                    if (format.Schema is { } schema)
                    {
                        writer.WritePropertyName("schema");
                        schema.WriteTo(writer);
                    }

                    writer.WriteBoolean("strict", format.Strict);
                    writer.WriteEndObject();
                    break;
            }

            writer.WriteEndObject();
        }

        if (ReasoningBudgets.EffortOf(request.Reasoning) is { } effort)
        {
            writer.WriteString("reasoning_effort", effort);
        }

        if (request.User is not null)
        {
            writer.WriteString("user", request.User);
        }

        if (request.Stream)
        {
            // Always ask for usage: the client's usage, metering and the Anthropic/Responses encoders need it.
            writer.WriteBoolean("stream", true);
            writer.WriteStartObject("stream_options");
            writer.WriteBoolean("include_usage", true);
            writer.WriteEndObject();
        }
    }

    private static string TextOf(IReadOnlyList<ContentPart> parts, string separator)
    {
        var builder = new StringBuilder();
        foreach (var part in parts)
        {
            if (part is TextPart text)
            {
                if (builder.Length > 0)
                {
                    builder.Append(separator);
                }

                builder.Append(text.Text);
            }
        }

        return builder.ToString();
    }
}
