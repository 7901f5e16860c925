using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Gemini;

/// <summary>
/// Writes a <see cref="ChatRequest"/> as a Gemini <c>generateContent</c> body. Anything Gemini cannot express with the
/// same meaning throws <see cref="NotTranslatableException"/>, so the pipeline moves on to another target.
/// </summary>
internal static class GeminiRequestEncoder
{
    /// <summary>Gemini accepts at most this many stop sequences.</summary>
    private const int MaxStopSequences = 5;

    /// <summary>
    /// Google's documented placeholder for a replayed function call whose thought signature is unknown. Gemini 3 models
    /// reject a history function call without a signature, and a conversation that came through another API never has
    /// Gemini's own (nor could a signature survive the other API's tool-call shape).
    /// </summary>
    private const string SkipSignature = "skip_thought_signature_validator";

    public static ProviderRequest Encode(ChatRequest request, string model)
    {
        // A bare name is a base model; "models/…" or "tunedModels/…" is already a resource name.
        var resource = model.Contains('/', StringComparison.Ordinal) ? model : $"models/{model}";
        var path = request.Stream
            ? $"/v1beta/{resource}:streamGenerateContent?alt=sse"
            : $"/v1beta/{resource}:generateContent";

        if (request.StopSequences.Count > MaxStopSequences)
        {
            throw new NotTranslatableException(
                "stop_sequences", $"Gemini accepts at most {MaxStopSequences} stop sequences; the request has {request.StopSequences.Count}.");
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteContents(writer, request, NeedsSignatures(model));
            WriteSystem(writer, request.System);
            WriteTools(writer, request);
            WriteGenerationConfig(writer, request);
            writer.WriteEndObject();
        }

        return new ProviderRequest(path, buffer.WrittenSpan.ToArray());
    }

    /// <summary>Gemini 1.x and 2.x do not validate thought signatures; later models do.</summary>
    private static bool NeedsSignatures(string model)
    {
        var name = model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model;
        return !name.StartsWith("gemini-1", StringComparison.Ordinal) && !name.StartsWith("gemini-2", StringComparison.Ordinal);
    }

    private static void WriteContents(Utf8JsonWriter writer, ChatRequest request, bool signFunctionCalls)
    {
        // Gemini's functionResponse names the function, not the call: the name comes from the assistant's call.
        var toolNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in request.Messages)
        {
            if (message.Role == ChatRole.Assistant)
            {
                foreach (var part in message.Content)
                {
                    if (part is ToolCallPart call)
                    {
                        toolNames[call.Id] = call.Name;
                    }
                }
            }
        }

        writer.WriteStartArray("contents");
        ChatRole? openRole = null;
        var turnHasFunctionCall = false;
        for (var i = 0; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            if (!HasWireParts(message))
            {
                continue; // e.g. an assistant turn that held only thinking, which Gemini cannot take back
            }

            // Gemini wants roles to alternate; dropping a thinking-only turn can leave two of one role side by side.
            if (openRole != message.Role)
            {
                if (openRole is not null)
                {
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                writer.WriteStartObject();
                writer.WriteString("role", message.Role == ChatRole.User ? "user" : "model");
                writer.WriteStartArray("parts");
                openRole = message.Role;
                turnHasFunctionCall = false;
            }

            // Function responses first in a user turn, as Gemini pairs them with the calls of the turn before.
            foreach (var part in message.Content)
            {
                if (part is ToolResultPart result)
                {
                    WriteFunctionResponse(writer, result, toolNames);
                }
            }

            foreach (var part in message.Content)
            {
                switch (part)
                {
                    case TextPart { Text.Length: > 0 } text:
                        writer.WriteStartObject();
                        writer.WriteString("text", text.Text);
                        writer.WriteEndObject();
                        break;
                    case ImagePart image:
                        WriteImage(writer, image);
                        break;
                    case ToolCallPart call:
                        WriteFunctionCall(writer, call, signFunctionCalls && !turnHasFunctionCall);
                        turnHasFunctionCall = true;
                        break;
                    default:
                        break; // empty text, thinking (Gemini cannot take it back), tool results (written above)
                }
            }
        }

        if (openRole is not null)
        {
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static bool HasWireParts(ChatMessage message)
    {
        foreach (var part in message.Content)
        {
            if (part is not ThinkingPart and not TextPart { Text.Length: 0 })
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteImage(Utf8JsonWriter writer, ImagePart image)
    {
        var (mediaType, data) = InlineImage(image);
        writer.WriteStartObject();
        writer.WriteStartObject("inlineData");
        writer.WriteString("mimeType", mediaType);
        writer.WriteString("data", data);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>The image as inline base64; a data URL is unpacked, a web URL cannot be sent inline.</summary>
    private static (string MediaType, string Data) InlineImage(ImagePart image)
    {
        if (image.Data is { } data)
        {
            return (image.MediaType ?? "image/png", data);
        }

        const string marker = ";base64,";
        if (image.Url is { } url && url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (comma > 5)
            {
                return (url[5..comma], url[(comma + marker.Length)..]);
            }
        }

        // generateContent takes http(s) images only as fileData from Google's own file store.
        throw new NotTranslatableException("image_url", "Gemini generateContent does not fetch images from a URL; send the image as base64 data.");
    }

    private static void WriteFunctionCall(Utf8JsonWriter writer, ToolCallPart call, bool sign)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("functionCall");
        writer.WriteString("name", call.Name);
        writer.WritePropertyName("args");
        WriteArguments(writer, call);
        writer.WriteEndObject();
        if (sign)
        {
            writer.WriteString("thoughtSignature", SkipSignature);
        }

        writer.WriteEndObject();
    }

    private static void WriteArguments(Utf8JsonWriter writer, ToolCallPart call)
    {
        if (string.IsNullOrWhiteSpace(call.Arguments))
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return;
        }

        try
        {
            using var arguments = JsonDocument.Parse(call.Arguments);
            if (arguments.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new NotTranslatableException(
                    "tool_call_arguments", $"The arguments of tool call '{call.Id}' are not a JSON object; Gemini needs an object.");
            }

            arguments.RootElement.WriteTo(writer);
        }
        catch (JsonException)
        {
            throw new NotTranslatableException(
                "tool_call_arguments", $"The arguments of tool call '{call.Id}' are not valid JSON; Gemini needs an object.");
        }
    }

    private static void WriteFunctionResponse(Utf8JsonWriter writer, ToolResultPart result, Dictionary<string, string> toolNames)
    {
        if (!toolNames.TryGetValue(result.ToolCallId, out var name))
        {
            throw new NotTranslatableException(
                "tool_result_without_call",
                $"The tool result for '{result.ToolCallId}' has no matching tool call in the conversation; Gemini needs the function's name.");
        }

        var text = new StringBuilder();
        foreach (var part in result.Content)
        {
            switch (part)
            {
                case TextPart t:
                    if (text.Length > 0)
                    {
                        text.Append('\n');
                    }

                    text.Append(t.Text);
                    break;
                case ImagePart:
                    throw new NotTranslatableException("tool_result_image", "Gemini function responses cannot carry images.");
                default:
                    break;
            }
        }

        writer.WriteStartObject();
        writer.WriteStartObject("functionResponse");
        writer.WriteString("name", name);
        writer.WriteStartObject("response");
        writer.WriteString(result.IsError ? "error" : "content", text.ToString());
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteSystem(Utf8JsonWriter writer, IReadOnlyList<string> system)
    {
        if (system.Count == 0)
        {
            return;
        }

        writer.WriteStartObject("systemInstruction");
        writer.WriteStartArray("parts");
        foreach (var text in system)
        {
            writer.WriteStartObject();
            writer.WriteString("text", text);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter writer, ChatRequest request)
    {
        if (request.Tools.Count == 0)
        {
            return;
        }

        writer.WriteStartArray("tools");
        writer.WriteStartObject();
        writer.WriteStartArray("functionDeclarations");
        foreach (var tool in request.Tools)
        {
            writer.WriteStartObject();
            writer.WriteString("name", tool.Name);
            if (tool.Description is { } description)
            {
                writer.WriteString("description", description);
            }

            // parametersJsonSchema takes full JSON Schema, so no lossy conversion to the OpenAPI subset of `parameters`.
            if (tool.Parameters is { ValueKind: JsonValueKind.Object } parameters)
            {
                writer.WritePropertyName("parametersJsonSchema");
                parameters.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndArray();

        if (request.ToolChoice is not { } choice)
        {
            return;
        }

        writer.WriteStartObject("toolConfig");
        writer.WriteStartObject("functionCallingConfig");
        writer.WriteString("mode", choice.Kind switch
        {
            ToolChoiceKind.None => "NONE",
            ToolChoiceKind.Required or ToolChoiceKind.Tool => "ANY",
            _ => "AUTO",
        });
        if (choice is { Kind: ToolChoiceKind.Tool, Name: { } name })
        {
            writer.WriteStartArray("allowedFunctionNames");
            writer.WriteStringValue(name);
            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteGenerationConfig(Utf8JsonWriter writer, ChatRequest request)
    {
        var budget = ReasoningBudgets.BudgetOf(request.Reasoning);
        var json = request.ResponseFormat is { Kind: not ResponseFormatKind.Text };
        if (request.MaxTokens is null && request.Temperature is null && request.TopP is null && request.TopK is null
            && request.StopSequences.Count == 0 && !json && budget is null)
        {
            return;
        }

        writer.WriteStartObject("generationConfig");
        if (request.MaxTokens is { } maxTokens)
        {
            writer.WriteNumber("maxOutputTokens", maxTokens);
        }

        if (request.Temperature is { } temperature)
        {
            writer.WriteNumber("temperature", temperature);
        }

        if (request.TopP is { } topP)
        {
            writer.WriteNumber("topP", topP);
        }

        if (request.TopK is { } topK)
        {
            writer.WriteNumber("topK", topK);
        }

        if (request.StopSequences.Count > 0)
        {
            writer.WriteStartArray("stopSequences");
            foreach (var stop in request.StopSequences)
            {
                writer.WriteStringValue(stop);
            }

            writer.WriteEndArray();
        }

        if (json)
        {
            writer.WriteString("responseMimeType", "application/json");
            if (request.ResponseFormat is { Kind: ResponseFormatKind.JsonSchema, Schema: { } schema })
            {
                writer.WritePropertyName("responseJsonSchema");
                schema.WriteTo(writer);
            }
        }

        if (budget is { } thinkingBudget)
        {
            writer.WriteStartObject("thinkingConfig");
            writer.WriteNumber("thinkingBudget", thinkingBudget);

            // Without this Gemini thinks but returns no thought summaries, and the client asked to see reasoning.
            writer.WriteBoolean("includeThoughts", true);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
