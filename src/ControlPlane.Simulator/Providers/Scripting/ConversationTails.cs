using System.Text;
using System.Text.Json;
using ControlPlane.Simulator.Providers.Validation;

namespace ControlPlane.Simulator.Providers.Scripting;

/// Reads the end of the conversation out of each API's request body. Tolerant: shapes were validated before.
internal static class ConversationTails
{
    public static ConversationTail Anthropic(JsonElement body)
    {
        var tools = Json.Items(body, "tools").Select(t => Json.String(t, "name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var last = Json.Items(body, "messages").LastOrDefault(m => Json.String(m, "role") == "user");
        if (last.ValueKind != JsonValueKind.Object || !last.TryGetProperty("content", out var content))
        {
            return new(tools, "", null);
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return new(tools, content.GetString()!, null);
        }

        var blocks = content.ValueKind == JsonValueKind.Array ? content.EnumerateArray().Where(Json.IsObject).ToList() : [];
        var text = string.Join("\n", blocks.Where(b => Json.String(b, "type") == "text").Select(b => Json.String(b, "text")).OfType<string>());
        var result = blocks.FirstOrDefault(b => Json.String(b, "type") == "tool_result");
        string? resultText = null;
        if (result.ValueKind == JsonValueKind.Object)
        {
            resultText = result.TryGetProperty("content", out var inner) ? TextOf(inner) : "";
        }

        return new(tools, text, resultText);
    }

    public static ConversationTail OpenAi(JsonElement body)
    {
        var tools = Json.Items(body, "tools")
            .Select(t => Json.String(t, "type") is { } type && t.TryGetProperty(type, out var f) ? Json.String(f, "name") : null)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var messages = Json.Items(body, "messages").ToList();
        if (messages.Count > 0 && Json.String(messages[^1], "role") == "tool")
        {
            // The trailing run of tool messages is the tool-result turn; echo the first of them.
            var first = messages.Count - 1;
            while (first > 0 && Json.String(messages[first - 1], "role") == "tool")
            {
                first--;
            }

            var result = messages[first].TryGetProperty("content", out var content) ? TextOf(content) : "";
            return new(tools, "", result);
        }

        var last = messages.LastOrDefault(m => Json.String(m, "role") == "user");
        return new(tools, last.ValueKind == JsonValueKind.Object && last.TryGetProperty("content", out var text) ? TextOf(text) : "", null);
    }

    public static ConversationTail Gemini(JsonElement body)
    {
        var tools = GeminiRequestValidator.Items(body, "tools")
            .SelectMany(t => GeminiRequestValidator.Items(t, "functionDeclarations"))
            .Select(d => GeminiRequestValidator.StringField(d, "name"))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var last = GeminiRequestValidator.Items(body, "contents")
            .LastOrDefault(c => GeminiRequestValidator.StringField(c, "role") is null or "user" or "function");
        if (last.ValueKind != JsonValueKind.Object)
        {
            return new(tools, "", null);
        }

        var parts = GeminiRequestValidator.Items(last, "parts").ToList();
        var response = parts.Select(p => GeminiRequestValidator.Field(p, "functionResponse")).FirstOrDefault(r => r is not null);
        if (response is { } functionResponse)
        {
            return new(tools, "", ResponseText(GeminiRequestValidator.Field(functionResponse, "response")));
        }

        var text = string.Join("\n", parts.Select(p => GeminiRequestValidator.StringField(p, "text")).OfType<string>());
        return new(tools, text, null);
    }

    /// A function response is a JSON object; its text is the "output", "result" or "content" string in it when
    /// there is one (what agent frameworks send), else the object's JSON.
    private static string ResponseText(JsonElement? response)
    {
        if (response is not { ValueKind: JsonValueKind.Object } obj)
        {
            return "";
        }

        foreach (var name in (string[])["output", "result", "content"])
        {
            if (Json.String(obj, name) is { } text)
            {
                return text;
            }
        }

        return obj.GetRawText();
    }

    /// The text of a content value: a string, or the text parts/blocks of an array joined by newlines.
    private static string TextOf(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var sb = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (Json.String(part, "type") == "text" && Json.String(part, "text") is { } text)
            {
                if (sb.Length > 0)
                {
                    sb.Append('\n');
                }

                sb.Append(text);
            }
        }

        return sb.ToString();
    }
}
