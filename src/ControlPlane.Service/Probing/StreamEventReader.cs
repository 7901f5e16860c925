using System.Text.Json;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Service.Probing.Clients;

namespace ControlPlane.Service.Probing;

internal enum StreamVerdict
{
    Continue,
    Completed,
    ErrorEvent,
    Malformed,
}

/// <summary>
/// Follows one provider stream event by event: where content starts (time to first token), where it ends
/// (Anthropic <c>message_stop</c>, OpenAI <c>[DONE]</c>, Gemini a <c>finishReason</c> then end of body), and error
/// events (Anthropic <c>event: error</c>, a <c>{"error":…}</c> chunk from OpenAI or Google).
/// </summary>
internal sealed class StreamEventReader(ProviderKind kind)
{
    private bool _finishReasonSeen;

    public int Events { get; private set; }

    public bool SawContent { get; private set; }

    /// <summary>
    /// The answer stopped at the request's output limit (OpenAI finish_reason <c>length</c>, Gemini <c>MAX_TOKENS</c>,
    /// Anthropic stop_reason <c>max_tokens</c>).
    /// </summary>
    public bool CutShort { get; private set; }

    public string? Problem { get; private set; }

    /// <summary>Gemini has no end marker: a body that ends after a chunk with a finish reason ended cleanly.</summary>
    public bool EndedCleanly => kind == ProviderKind.Gemini && _finishReasonSeen;

    public StreamVerdict Read(string eventType, string data)
    {
        Events++;
        if (kind is ProviderKind.OpenAI or ProviderKind.OpenAICompatible && data.AsSpan().Trim().SequenceEqual("[DONE]"))
        {
            return StreamVerdict.Completed;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return Malformed("stream event is not JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Malformed("stream event is not a JSON object");
            }

            if (eventType == "error" || (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null))
            {
                return StreamVerdict.ErrorEvent;
            }

            return kind switch
            {
                ProviderKind.Anthropic => ReadAnthropic(root),
                ProviderKind.Gemini => ReadGemini(root),
                _ => ReadOpenAI(root),
            };
        }
    }

    private StreamVerdict ReadAnthropic(JsonElement root)
    {
        var streamEvent = root.Deserialize<AnthropicStreamEvent>(ProviderApis.Json);
        switch (streamEvent?.Type)
        {
            case null:
                return Malformed("stream event has no type");
            case "content_block_delta":
                SawContent = true;
                return StreamVerdict.Continue;
            case "message_delta":
                CutShort |= root.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object
                    && delta.TryGetProperty("stop_reason", out var stop) && stop.ValueKind == JsonValueKind.String
                    && stop.ValueEquals("max_tokens");
                return StreamVerdict.Continue;
            case "message_stop":
                return StreamVerdict.Completed;
            default:
                return StreamVerdict.Continue; // message_start, content_block_start/stop, ping, message_delta, future types.
        }
    }

    private StreamVerdict ReadOpenAI(JsonElement root)
    {
        var chunk = root.Deserialize<OpenAIChatResponse>(ProviderApis.Json);
        if (chunk?.Choices is null)
        {
            return Malformed("stream chunk has no choices");
        }

        // The final usage chunk carries an empty choices array; content is any non-empty delta.
        if (chunk.Choices.Any(c => !string.IsNullOrEmpty(c.Delta?.Content)))
        {
            SawContent = true;
        }

        CutShort |= chunk.Choices.Any(c => c.FinishReason == "length");

        return StreamVerdict.Continue;
    }

    private StreamVerdict ReadGemini(JsonElement root)
    {
        var chunk = root.Deserialize<GeminiGenerateResponse>(ProviderApis.Json);
        if (chunk?.Candidates is null)
        {
            return Malformed("stream chunk has no candidates");
        }

        foreach (var candidate in chunk.Candidates)
        {
            if (candidate.Content?.Parts?.Any(p => !string.IsNullOrEmpty(p.Text)) == true)
            {
                SawContent = true;
            }

            _finishReasonSeen |= candidate.FinishReason is not null;
            CutShort |= candidate.FinishReason == "MAX_TOKENS";
        }

        return StreamVerdict.Continue;
    }

    private StreamVerdict Malformed(string problem)
    {
        Problem = problem;
        return StreamVerdict.Malformed;
    }
}

/// <summary>Checks a complete (non-streamed) 2xx body is the provider's wire format; returns why not, or null.</summary>
internal static class ResponseValidator
{
    public static string? Validate(ProviderKind kind, ProbeMode mode, string body)
    {
        try
        {
            return (kind, mode) switch
            {
                (ProviderKind.Anthropic, ProbeMode.Models) =>
                    JsonSerializer.Deserialize<AnthropicModelList>(body, ProviderApis.Json)?.Data is null ? "model list has no data" : null,
                (ProviderKind.Gemini, ProbeMode.Models) =>
                    JsonSerializer.Deserialize<GeminiModelList>(body, ProviderApis.Json)?.Models is null ? "model list has no models" : null,
                (_, ProbeMode.Models) =>
                    JsonSerializer.Deserialize<OpenAIModelList>(body, ProviderApis.Json)?.Data is null ? "model list has no data" : null,
                (ProviderKind.Anthropic, _) =>
                    JsonSerializer.Deserialize<AnthropicMessageResponse>(body, ProviderApis.Json) switch
                    {
                        { Type: "message", Content.Count: > 0 } => null,
                        { Type: "message" } => "message has no content", // A 200 that answers nothing is not a success.
                        _ => "not an Anthropic message",
                    },
                (ProviderKind.Gemini, _) =>
                    JsonSerializer.Deserialize<GeminiGenerateResponse>(body, ProviderApis.Json)?.Candidates is not { Count: > 0 } ? "response has no candidates" : null,
                _ =>
                    JsonSerializer.Deserialize<OpenAIChatResponse>(body, ProviderApis.Json)?.Choices is not { Count: > 0 } ? "completion has no choices" : null,
            };
        }
        catch (JsonException)
        {
            return "body is not valid JSON";
        }
    }
}
