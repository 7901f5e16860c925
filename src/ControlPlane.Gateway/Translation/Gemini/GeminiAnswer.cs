using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Gemini;

/// <summary>What the whole-answer and streamed decoders read alike from a <c>GenerateContentResponse</c>.</summary>
internal static class GeminiAnswer
{
    /// <summary>Why Gemini stopped. A natural stop after function calls means the model waits for their results.</summary>
    public static FinishReason FinishOf(string? finishReason, bool calledFunctions) => finishReason switch
    {
        "MAX_TOKENS" => FinishReason.MaxTokens,
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT"
            => FinishReason.Refusal,
        _ => calledFunctions ? FinishReason.ToolUse : FinishReason.EndTurn,
    };

    /// <summary>
    /// <c>usageMetadata</c> as internal usage. Input counts every prompt token (cached ones included, as Gemini and OpenAI
    /// count them); output adds the thinking tokens Gemini reports apart, because they are billed as output.
    /// </summary>
    public static Usage UsageOf(JsonElement root)
    {
        if (!root.TryGetProperty("usageMetadata", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return Usage.None;
        }

        var prompt = IntOf(usage, "promptTokenCount") ?? 0;
        var candidates = IntOf(usage, "candidatesTokenCount") ?? 0;
        var thoughts = IntOf(usage, "thoughtsTokenCount");
        return new Usage(prompt, candidates + (thoughts ?? 0), IntOf(usage, "cachedContentTokenCount"), null, thoughts);
    }

    /// <summary>
    /// The id of a function call: Gemini's own when it gave a usable one, else one derived from the response id and the
    /// call's position, so the same answer always yields the same ids.
    /// </summary>
    public static string CallId(JsonElement functionCall, string? responseId, int index)
    {
        if (functionCall.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            && id.GetString() is { Length: > 0 } given && IsIdSafe(given))
        {
            return given;
        }

        var suffix = responseId is null ? string.Empty : Safe(responseId);
        return suffix.Length == 0 ? $"call_{index}" : $"call_{suffix}_{index}";
    }

    /// <summary>The function call's arguments as JSON object text (<c>{}</c> when Gemini sent none).</summary>
    public static string ArgumentsOf(JsonElement functionCall) =>
        functionCall.TryGetProperty("args", out var args) && args.ValueKind == JsonValueKind.Object ? args.GetRawText() : "{}";

    public static string? StringOf(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static bool IsThought(JsonElement part) =>
        part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True;

    /// <summary>The first candidate, when there is one.</summary>
    public static bool TryFirstCandidate(JsonElement root, out JsonElement candidate)
    {
        if (root.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array
            && candidates.GetArrayLength() > 0)
        {
            candidate = candidates[0];
            return candidate.ValueKind == JsonValueKind.Object;
        }

        candidate = default;
        return false;
    }

    /// <summary>The candidate's parts; empty when Gemini sent no content (a block, or only a finish reason).</summary>
    public static JsonElement.ArrayEnumerator PartsOf(JsonElement candidate) =>
        candidate.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Object
        && content.TryGetProperty("parts", out var parts) && parts.ValueKind == JsonValueKind.Array
            ? parts.EnumerateArray()
            : default;

    /// <summary>True when the prompt itself was blocked (<c>promptFeedback.blockReason</c>).</summary>
    public static bool PromptBlocked(JsonElement root) =>
        root.TryGetProperty("promptFeedback", out var feedback) && StringOf(feedback, "blockReason") is not null;

    private static int? IntOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : null;

    private static bool IsIdSafe(string id)
    {
        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private static string Safe(string text)
    {
        Span<char> buffer = stackalloc char[Math.Min(text.Length, 64)];
        var n = 0;
        foreach (var c in text)
        {
            if (n == buffer.Length)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')
            {
                buffer[n++] = c;
            }
        }

        return new string(buffer[..n]);
    }
}
