using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.OpenAiChat;

/// <summary>Complete (non-streamed) Chat Completions answers: encoded for clients, decoded from providers.</summary>
internal static class OpenAiChatResponseCodec
{
    public static byte[] Encode(ChatResponse response, string model, long created)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, OpenAiChatJson.Writer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", OpenAiChatJson.CompletionId(response.Id));
            writer.WriteString("object", "chat.completion");
            writer.WriteNumber("created", created);
            writer.WriteString("model", model);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("message");
            writer.WriteString("role", "assistant");

            // Thinking is not shown: an OpenAI client has no place for it and would print it as the answer.
            var text = new StringBuilder();
            var hasText = false;
            foreach (var part in response.Content)
            {
                if (part is TextPart t)
                {
                    text.Append(t.Text);
                    hasText = true;
                }
            }

            if (hasText)
            {
                writer.WriteString("content", text.ToString());
            }
            else
            {
                writer.WriteNull("content");
            }

            writer.WriteNull("refusal");
            var calls = response.Content.OfType<ToolCallPart>().ToList();
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
            writer.WriteNull("logprobs");
            writer.WriteString("finish_reason", FinishReasonOf(response.Finish));
            writer.WriteEndObject();
            writer.WriteEndArray();
            WriteUsage(writer, response.Usage);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string FinishReasonOf(FinishReason finish) => finish switch
    {
        FinishReason.MaxTokens => "length",
        FinishReason.ToolUse => "tool_calls",
        FinishReason.Refusal => "content_filter",
        _ => "stop", // EndTurn, StopSequence: OpenAI does not tell them apart
    };

    public static void WriteUsage(Utf8JsonWriter writer, Usage usage)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", usage.InputTokens);
        writer.WriteNumber("completion_tokens", usage.OutputTokens);
        writer.WriteNumber("total_tokens", usage.InputTokens + usage.OutputTokens);
        writer.WriteStartObject("prompt_tokens_details");
        writer.WriteNumber("cached_tokens", usage.CachedInputTokens ?? 0);
        writer.WriteEndObject();
        writer.WriteStartObject("completion_tokens_details");
        writer.WriteNumber("reasoning_tokens", usage.ReasoningTokens ?? 0);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static ChatResponse Decode(ReadOnlySpan<byte> body)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new MalformedResponseException("The Chat Completions answer is not valid JSON: " + e.Message);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedResponseException("The Chat Completions answer is not a JSON object.");
            }

            var content = new List<ContentPart>();
            var finish = FinishReason.EndTurn;
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
            {
                var choice = choices[0];
                string? finishReason = String(choice, "finish_reason");
                var refused = false;
                if (choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
                {
                    var thinking = String(message, "reasoning_content") ?? String(message, "reasoning");
                    if (!string.IsNullOrEmpty(thinking))
                    {
                        content.Add(new ThinkingPart(thinking, null));
                    }

                    if (String(message, "content") is { Length: > 0 } text)
                    {
                        content.Add(new TextPart(text));
                    }

                    if (String(message, "refusal") is { Length: > 0 } refusal)
                    {
                        content.Add(new TextPart(refusal));
                        refused = true;
                    }

                    if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    {
                        var i = 0;
                        foreach (var call in calls.EnumerateArray())
                        {
                            var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                            var name = function.ValueKind == JsonValueKind.Object ? String(function, "name") : null;
                            if (name is null)
                            {
                                throw new MalformedResponseException($"choices[0].message.tool_calls[{i}] has no function name.");
                            }

                            content.Add(new ToolCallPart(
                                String(call, "id") ?? $"call_{i}", name, String(function, "arguments") ?? "{}"));
                            i++;
                        }
                    }
                }

                finish = refused ? FinishReason.Refusal : FinishOf(finishReason, content.Any(p => p is ToolCallPart));
            }

            return new ChatResponse(String(root, "id") ?? "", String(root, "model") ?? "", content, finish, null, UsageOf(root));
        }
    }

    /// <summary>Our finish reason for OpenAI's; <c>stop</c> with tool calls (some compatible servers) is a tool use.</summary>
    public static FinishReason FinishOf(string? finishReason, bool hasToolCalls) => finishReason switch
    {
        "length" => FinishReason.MaxTokens,
        "tool_calls" or "function_call" => FinishReason.ToolUse,
        "content_filter" => FinishReason.Refusal,
        _ when hasToolCalls => FinishReason.ToolUse,
        _ => FinishReason.EndTurn,
    };

    /// <summary>
    /// The answer's usage. <c>prompt_tokens</c> already includes the cached tokens; InputTokens keeps OpenAI's
    /// meaning (all prompt tokens) and CachedInputTokens is the part of them read from cache.
    /// </summary>
    public static Usage UsageOf(JsonElement root)
    {
        if (!root.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return Usage.None;
        }

        int? cached = usage.TryGetProperty("prompt_tokens_details", out var prompt) && prompt.ValueKind == JsonValueKind.Object ? Int(prompt, "cached_tokens") : null;
        int? reasoning = usage.TryGetProperty("completion_tokens_details", out var completion) && completion.ValueKind == JsonValueKind.Object ? Int(completion, "reasoning_tokens") : null;
        return new Usage(Int(usage, "prompt_tokens") ?? 0, Int(usage, "completion_tokens") ?? 0, cached, null, reasoning);
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
