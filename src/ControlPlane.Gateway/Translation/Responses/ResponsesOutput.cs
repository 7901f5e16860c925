using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Responses;

/// <summary>One item of a Response's <c>output</c>.</summary>
internal abstract record OutputItem(string Id);

/// <summary>An assistant message; each text is one <c>output_text</c> content part.</summary>
internal sealed record MessageItem(string Id, IReadOnlyList<string> Texts) : OutputItem(Id);

internal sealed record FunctionCallItem(string Id, string CallId, string Name, string Arguments) : OutputItem(Id);

/// <summary>
/// The request settings a Response object repeats back (the real API echoes the effective values). A whole answer
/// is encoded without its request, so it echoes the defaults.
/// </summary>
internal sealed record ResponseEcho(
    double? Temperature, double? TopP, int? MaxOutputTokens, bool ParallelToolCalls, ToolChoice? ToolChoice, ResponseFormat? Format, string? Effort, string? User)
{
    public static readonly ResponseEcho Default = new(null, null, null, true, null, null, null, null);

    public static ResponseEcho From(ChatRequest request) => new(
        request.Temperature, request.TopP, request.MaxTokens, request.ParallelToolCalls ?? true, request.ToolChoice, request.ResponseFormat,
        request.Reasoning?.Effort, request.User);
}

/// <summary>Writes the Response object and its output items as the <c>openai</c> SDKs read them.</summary>
internal static class ResponsesOutput
{
    public static string StatusOf(FinishReason finish) => IncompleteReason(finish) is null ? "completed" : "incomplete";

    /// <summary>Why a Response is incomplete; null when it completed.</summary>
    public static string? IncompleteReason(FinishReason finish) => finish switch
    {
        FinishReason.MaxTokens => "max_output_tokens",
        FinishReason.Refusal => "content_filter",
        _ => null,
    };

    /// <summary>
    /// The Response object. <paramref name="finish"/> and <paramref name="usage"/> are null while it is in progress.
    /// </summary>
    public static void WriteResponse(
        Utf8JsonWriter writer, string id, long createdAt, string model, FinishReason? finish, IReadOnlyList<OutputItem> output, Usage? usage, ResponseEcho echo)
    {
        writer.WriteStartObject();
        writer.WriteString("id", id);
        writer.WriteString("object", "response");
        writer.WriteNumber("created_at", createdAt);
        writer.WriteString("status", finish is { } f ? StatusOf(f) : "in_progress");
        writer.WriteBoolean("background", false);
        writer.WriteNull("error");
        if (finish is { } done && IncompleteReason(done) is { } reason)
        {
            writer.WriteStartObject("incomplete_details");
            writer.WriteString("reason", reason);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("incomplete_details");
        }

        writer.WriteNull("instructions");
        WriteNullable(writer, "max_output_tokens", echo.MaxOutputTokens);
        writer.WriteNull("max_tool_calls");
        writer.WriteString("model", model);
        writer.WriteStartArray("output");
        foreach (var item in output)
        {
            WriteItem(writer, item, "completed");
        }

        writer.WriteEndArray();
        writer.WriteBoolean("parallel_tool_calls", echo.ParallelToolCalls);
        writer.WriteNull("previous_response_id");
        writer.WriteStartObject("reasoning");
        if (echo.Effort is { } effort)
        {
            writer.WriteString("effort", effort);
        }
        else
        {
            writer.WriteNull("effort");
        }

        writer.WriteNull("summary");
        writer.WriteEndObject();
        writer.WriteString("service_tier", "default");
        writer.WriteBoolean("store", false);
        WriteNullable(writer, "temperature", echo.Temperature);
        writer.WriteStartObject("text");
        WriteFormat(writer, echo.Format);
        writer.WriteString("verbosity", "medium");
        writer.WriteEndObject();
        WriteToolChoice(writer, echo.ToolChoice);
        writer.WriteStartArray("tools");
        writer.WriteEndArray();
        writer.WriteNumber("top_logprobs", 0);
        WriteNullable(writer, "top_p", echo.TopP);
        writer.WriteString("truncation", "disabled");
        if (usage is { } u)
        {
            WriteUsage(writer, u);
        }
        else
        {
            writer.WriteNull("usage");
        }

        if (echo.User is { } user)
        {
            writer.WriteString("user", user);
        }
        else
        {
            writer.WriteNull("user");
        }

        writer.WriteStartObject("metadata");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteItem(Utf8JsonWriter writer, OutputItem item, string status)
    {
        writer.WriteStartObject();
        switch (item)
        {
            case MessageItem message:
                writer.WriteString("id", message.Id);
                writer.WriteString("type", "message");
                writer.WriteString("status", status);
                writer.WriteStartArray("content");
                foreach (var text in message.Texts)
                {
                    WriteOutputText(writer, text);
                }

                writer.WriteEndArray();
                writer.WriteString("role", "assistant");
                break;
            case FunctionCallItem call:
                writer.WriteString("id", call.Id);
                writer.WriteString("type", "function_call");
                writer.WriteString("status", status);
                writer.WriteString("arguments", call.Arguments);
                writer.WriteString("call_id", call.CallId);
                writer.WriteString("name", call.Name);
                break;
            default:
                break;
        }

        writer.WriteEndObject();
    }

    public static void WriteOutputText(Utf8JsonWriter writer, string text)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "output_text");
        writer.WriteStartArray("annotations");
        writer.WriteEndArray();
        writer.WriteStartArray("logprobs");
        writer.WriteEndArray();
        writer.WriteString("text", text);
        writer.WriteEndObject();
    }

    /// <summary>Usage in Responses terms: input counts cached tokens too, output counts reasoning tokens too.</summary>
    private static void WriteUsage(Utf8JsonWriter writer, Usage usage)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("input_tokens", usage.InputTokens);
        writer.WriteStartObject("input_tokens_details");
        writer.WriteNumber("cached_tokens", usage.CachedInputTokens ?? 0);
        writer.WriteEndObject();
        writer.WriteNumber("output_tokens", usage.OutputTokens);
        writer.WriteStartObject("output_tokens_details");
        writer.WriteNumber("reasoning_tokens", usage.ReasoningTokens ?? 0);
        writer.WriteEndObject();
        writer.WriteNumber("total_tokens", usage.InputTokens + usage.OutputTokens);
        writer.WriteEndObject();
    }

    private static void WriteFormat(Utf8JsonWriter writer, ResponseFormat? format)
    {
        writer.WriteStartObject("format");
        switch (format)
        {
            case { Kind: ResponseFormatKind.JsonObject }:
                writer.WriteString("type", "json_object");
                break;
            case { Kind: ResponseFormatKind.JsonSchema }:
                writer.WriteString("type", "json_schema");
                writer.WriteString("name", format.Name ?? "response");
                if (format.Schema is { } schema)
                {
                    writer.WritePropertyName("schema");
                    schema.WriteTo(writer);
                }

                writer.WriteBoolean("strict", format.Strict);
                break;
            default:
                writer.WriteString("type", "text");
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteToolChoice(Utf8JsonWriter writer, ToolChoice? choice)
    {
        switch (choice)
        {
            case { Kind: ToolChoiceKind.Tool, Name: { } name }:
                writer.WriteStartObject("tool_choice");
                writer.WriteString("type", "function");
                writer.WriteString("name", name);
                writer.WriteEndObject();
                break;
            case { Kind: ToolChoiceKind.None }:
                writer.WriteString("tool_choice", "none");
                break;
            case { Kind: ToolChoiceKind.Required }:
                writer.WriteString("tool_choice", "required");
                break;
            default:
                writer.WriteString("tool_choice", "auto");
                break;
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
