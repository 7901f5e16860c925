using System.Globalization;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.OpenAiChat;

/// <summary>
/// Decodes a Chat Completions request body into the internal model. Shape errors the real API rejects become an
/// <see cref="InvalidRequestException"/> listing every problem; features with no cross-API meaning go to NativeOnly,
/// features safe to leave out to Dropped.
/// </summary>
internal static class OpenAiChatRequestDecoder
{
    public static ChatRequest Decode(ReadOnlySpan<byte> body)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            throw new InvalidRequestException(
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException("Invalid type for request body: expected an object.");
            }

            var state = new State();
            var request = Read(doc.RootElement, state);
            if (state.Errors.Count > 0)
            {
                throw new InvalidRequestException(string.Join(" ", state.Errors));
            }

            return request with { NativeOnly = state.NativeOnly, Dropped = state.Dropped };
        }
    }

    private sealed class State
    {
        public List<string> Errors { get; } = [];
        public List<string> NativeOnly { get; } = [];
        public List<string> Dropped { get; } = [];

        public void Native(string feature)
        {
            if (!NativeOnly.Contains(feature))
            {
                NativeOnly.Add(feature);
            }
        }

        public void Drop(string feature)
        {
            if (!Dropped.Contains(feature))
            {
                Dropped.Add(feature);
            }
        }

        public void WrongType(string path, string expected) =>
            Errors.Add($"Invalid type for '{path}': expected {expected}.");
    }

    private static ChatRequest Read(JsonElement root, State state)
    {
        string? model = null;
        var sawMessages = false;
        var system = new List<string>();
        var messages = new List<ChatMessage>();
        var tools = new List<ToolDefinition>();
        ToolChoice? toolChoice = null;
        bool? parallel = null, stream = null, streamUsage = null;
        int? maxTokens = null, maxCompletionTokens = null;
        double? temperature = null, topP = null;
        var stop = new List<string>();
        ResponseFormat? responseFormat = null;
        Reasoning? reasoning = null;
        string? user = null;

        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            var name = property.Name;
            if (value.ValueKind == JsonValueKind.Null && name is not ("model" or "messages"))
            {
                continue; // the SDKs send explicit nulls for unset optional fields; null means "not given"
            }

            switch (name)
            {
                case "model":
                    model = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    if (model is null)
                    {
                        state.WrongType("model", "a string");
                    }

                    break;
                case "messages":
                    sawMessages = true;
                    ReadMessages(value, system, messages, state);
                    break;
                case "tools":
                    ReadTools(value, tools, state);
                    break;
                case "tool_choice":
                    toolChoice = ReadToolChoice(value, state);
                    break;
                case "parallel_tool_calls":
                    parallel = Bool(value, name, state);
                    break;
                case "max_tokens":
                    maxTokens = Int(value, name, state);
                    break;
                case "max_completion_tokens":
                    maxCompletionTokens = Int(value, name, state);
                    break;
                case "temperature":
                    temperature = Number(value, name, state);
                    break;
                case "top_p":
                    topP = Number(value, name, state);
                    break;
                case "stop":
                    ReadStop(value, stop, state);
                    break;
                case "response_format":
                    responseFormat = ReadResponseFormat(value, state);
                    break;
                case "reasoning_effort":
                    if (value.ValueKind == JsonValueKind.String)
                    {
                        reasoning = new Reasoning(value.GetString(), null);
                    }
                    else
                    {
                        state.WrongType(name, "a string");
                    }

                    break;
                case "user":
                    user = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
                    if (user is null)
                    {
                        state.WrongType(name, "a string");
                    }

                    break;
                case "stream":
                    stream = Bool(value, name, state);
                    break;
                case "stream_options":
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        state.WrongType(name, "an object");
                    }
                    else if (value.TryGetProperty("include_usage", out var include) && include.ValueKind != JsonValueKind.Null)
                    {
                        streamUsage = Bool(include, "stream_options.include_usage", state);
                    }

                    break;
                case "n":
                    if (Int(value, name, state) is > 1)
                    {
                        state.Native("n");
                    }

                    break;
                case "logprobs":
                    if (value.ValueKind == JsonValueKind.True)
                    {
                        state.Native("logprobs");
                    }

                    break;
                case "top_logprobs":
                    state.Native("logprobs");
                    break;
                case "logit_bias":
                    if (value.ValueKind != JsonValueKind.Object || value.EnumerateObject().Any())
                    {
                        state.Native("logit_bias");
                    }

                    break;
                case "modalities":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(m => m.ValueKind != JsonValueKind.String || m.GetString() != "text"))
                    {
                        state.Native("audio");
                    }

                    break;
                case "audio":
                    state.Native("audio");
                    break;
                case "web_search_options":
                    state.Native("web_search");
                    break;
                case "seed" or "frequency_penalty" or "presence_penalty" or "prediction":
                case "metadata" or "store" or "service_tier" or "safety_identifier" or "prompt_cache_key" or "prompt_cache_retention" or "verbosity":
                    state.Drop(name);
                    break;
                case "functions" or "function_call":
                    state.Native("functions");
                    break;
                default:
                    state.Native("unknown_field:" + name);
                    break;
            }
        }

        if (model is null && !root.TryGetProperty("model", out _))
        {
            state.Errors.Add("you must provide a model parameter.");
        }

        if (!sawMessages)
        {
            state.Errors.Add("'messages' is a required property.");
        }

        if (maxTokens is not null && maxCompletionTokens is not null)
        {
            state.Errors.Add("Invalid request: 'max_tokens' and 'max_completion_tokens' cannot both be set; use 'max_completion_tokens'.");
        }

        return new ChatRequest
        {
            Model = model ?? "",
            Stream = stream ?? false,
            StreamUsage = (stream ?? false) && (streamUsage ?? false),
            System = system,
            Messages = messages,
            Tools = tools,
            ToolChoice = toolChoice,
            ParallelToolCalls = parallel,
            MaxTokens = maxCompletionTokens ?? maxTokens,
            Temperature = temperature,
            TopP = topP,
            StopSequences = stop,
            ResponseFormat = responseFormat,
            Reasoning = reasoning,
            User = user,
        };
    }

    private static void ReadMessages(JsonElement value, List<string> system, List<ChatMessage> messages, State state)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            state.WrongType("messages", "an array");
            return;
        }

        if (value.GetArrayLength() == 0)
        {
            state.Errors.Add("[] is too short - 'messages'.");
            return;
        }

        // A user turn built from tool messages stays open for more tool results and for one user message after them,
        // so "tool, tool, user" becomes one turn, as Anthropic wants it.
        List<ContentPart>? toolTurn = null;
        var index = -1;
        foreach (var message in value.EnumerateArray())
        {
            index++;
            var path = $"messages[{index}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                state.WrongType(path, "an object");
                continue;
            }

            if (!message.TryGetProperty("role", out var roleElement))
            {
                state.Errors.Add($"Missing required parameter: '{path}.role'.");
                continue;
            }

            var role = roleElement.ValueKind == JsonValueKind.String ? roleElement.GetString() : null;
            if (message.TryGetProperty("name", out var participant) && participant.ValueKind != JsonValueKind.Null)
            {
                state.Drop("message_name");
            }

            switch (role)
            {
                case "system" or "developer":
                    if (messages.Count > 0)
                    {
                        state.Drop("system_position"); // folded into the system prompt: other APIs have one, up front
                    }

                    var text = ReadTextContent(message, path, required: true, state);
                    if (!string.IsNullOrEmpty(text)) // an empty system block says nothing; Anthropic rejects one
                    {
                        system.Add(text);
                    }

                    break;
                case "user":
                    var content = ReadUserContent(message, path, state);
                    if (toolTurn is not null)
                    {
                        toolTurn.AddRange(content);
                        toolTurn = null;
                    }
                    else
                    {
                        messages.Add(new ChatMessage(ChatRole.User, content));
                    }

                    break;
                case "assistant":
                    toolTurn = null;
                    messages.Add(new ChatMessage(ChatRole.Assistant, ReadAssistant(message, path, state)));
                    break;
                case "tool":
                    var result = ReadToolResult(message, path, state);
                    if (toolTurn is null)
                    {
                        toolTurn = [];
                        messages.Add(new ChatMessage(ChatRole.User, toolTurn));
                    }

                    if (result is not null)
                    {
                        toolTurn.Add(result);
                    }

                    break;
                case "function":
                    state.Native("functions");
                    break;
                default:
                    state.Errors.Add(
                        $"Invalid value for '{path}.role': expected one of 'system', 'developer', 'user', 'assistant', 'tool' or 'function'.");
                    break;
            }
        }
    }

    /// <summary>System, developer and tool content: a string or an array of text parts, joined.</summary>
    private static string? ReadTextContent(JsonElement message, string path, bool required, State state)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                state.Errors.Add($"Missing required parameter: '{path}.content'.");
            }

            return null;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            state.Errors.Add($"Invalid type for '{path}.content': expected one of a string or array of objects.");
            return null;
        }

        var texts = new List<string>();
        var i = -1;
        foreach (var part in content.EnumerateArray())
        {
            i++;
            if (PartType(part) != "text" || !part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            {
                state.Errors.Add($"Invalid value for '{path}.content[{i}]': only text parts are supported for this role.");
                continue;
            }

            texts.Add(text.GetString()!);
        }

        return string.Concat(texts);
    }

    private static List<ContentPart> ReadUserContent(JsonElement message, string path, State state)
    {
        var parts = new List<ContentPart>();
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            state.Errors.Add($"Missing required parameter: '{path}.content'.");
            return parts;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            parts.Add(new TextPart(content.GetString()!));
            return parts;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            state.Errors.Add($"Invalid type for '{path}.content': expected one of a string or array of objects.");
            return parts;
        }

        var i = -1;
        foreach (var part in content.EnumerateArray())
        {
            i++;
            var partPath = $"{path}.content[{i}]";
            switch (PartType(part))
            {
                case "text":
                    if (part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        parts.Add(new TextPart(text.GetString()!));
                    }
                    else
                    {
                        state.Errors.Add($"Missing required parameter: '{partPath}.text'.");
                    }

                    break;
                case "image_url":
                    if (ReadImage(part, partPath, state) is { } image)
                    {
                        parts.Add(image);
                    }

                    break;
                case "input_audio":
                    state.Native("audio");
                    break;
                case "file":
                    state.Native("file");
                    break;
                case var other:
                    state.Errors.Add(other is null
                        ? $"Missing required parameter: '{partPath}.type'."
                        : $"Invalid value: '{other}'. Supported values are: 'text', 'image_url', 'input_audio', and 'file'.");
                    break;
            }
        }

        return parts;
    }

    private static ImagePart? ReadImage(JsonElement part, string path, State state)
    {
        if (!part.TryGetProperty("image_url", out var image) || image.ValueKind != JsonValueKind.Object
            || !image.TryGetProperty("url", out var urlElement) || urlElement.ValueKind != JsonValueKind.String)
        {
            state.Errors.Add($"Missing required parameter: '{path}.image_url.url'.");
            return null;
        }

        if (image.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String && detail.GetString() != "auto")
        {
            state.Drop("image_detail");
        }

        var url = urlElement.GetString()!;
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            // data:<mime>;base64,<data>: the only data-URL form an image API takes
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma < 0 ? "" : url[5..comma];
            if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase) || header.Length == ";base64".Length)
            {
                state.Errors.Add($"Invalid '{path}.image_url.url': a data URL must look like data:<mime type>;base64,<data>.");
                return null;
            }

            return new ImagePart(header[..^";base64".Length], url[(comma + 1)..], null);
        }

        if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            return new ImagePart(null, null, url);
        }

        state.Errors.Add($"Invalid '{path}.image_url.url': expected a base64-encoded data URL or an http(s) URL.");
        return null;
    }

    private static List<ContentPart> ReadAssistant(JsonElement message, string path, State state)
    {
        var parts = new List<ContentPart>();
        if (message.TryGetProperty("content", out var content) && content.ValueKind != JsonValueKind.Null)
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                if (content.GetString() is { Length: > 0 } text)
                {
                    parts.Add(new TextPart(text));
                }
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                var i = -1;
                foreach (var part in content.EnumerateArray())
                {
                    i++;
                    var type = PartType(part);
                    var key = type == "refusal" ? "refusal" : "text";
                    if (type is not ("text" or "refusal") || !part.TryGetProperty(key, out var text) || text.ValueKind != JsonValueKind.String)
                    {
                        state.Errors.Add($"Invalid value for '{path}.content[{i}]': assistant content parts must be 'text' or 'refusal'.");
                        continue;
                    }

                    parts.Add(new TextPart(text.GetString()!));
                }
            }
            else
            {
                state.Errors.Add($"Invalid type for '{path}.content': expected one of a string or array of objects.");
            }
        }

        // A refusal in history is what the assistant said; other APIs can only carry it as text.
        if (message.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String && refusal.GetString() is { Length: > 0 } refusalText)
        {
            parts.Add(new TextPart(refusalText));
        }

        if (message.TryGetProperty("audio", out var audio) && audio.ValueKind != JsonValueKind.Null)
        {
            state.Native("audio");
        }

        if (message.TryGetProperty("function_call", out var functionCall) && functionCall.ValueKind != JsonValueKind.Null)
        {
            state.Native("functions");
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind != JsonValueKind.Null)
        {
            if (calls.ValueKind != JsonValueKind.Array)
            {
                state.WrongType(path + ".tool_calls", "an array");
                return parts;
            }

            var i = -1;
            foreach (var call in calls.EnumerateArray())
            {
                i++;
                var callPath = $"{path}.tool_calls[{i}]";
                var type = PartType(call);
                if (type != "function")
                {
                    if (type is null)
                    {
                        state.Errors.Add($"Missing required parameter: '{callPath}.type'.");
                    }
                    else
                    {
                        state.Native("tool_type:" + type);
                    }

                    continue;
                }

                var id = String(call, "id");
                var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
                var name = function.ValueKind == JsonValueKind.Object ? String(function, "name") : null;
                var arguments = function.ValueKind == JsonValueKind.Object ? String(function, "arguments") : null;
                if (id is null)
                {
                    state.Errors.Add($"Missing required parameter: '{callPath}.id'.");
                }

                if (name is null)
                {
                    state.Errors.Add($"Missing required parameter: '{callPath}.function.name'.");
                }

                if (arguments is null)
                {
                    state.Errors.Add($"Missing required parameter: '{callPath}.function.arguments'.");
                }

                if (id is not null && name is not null && arguments is not null)
                {
                    parts.Add(new ToolCallPart(id, name, arguments));
                }
            }
        }

        return parts;
    }

    private static ToolResultPart? ReadToolResult(JsonElement message, string path, State state)
    {
        var id = String(message, "tool_call_id");
        if (id is null)
        {
            state.Errors.Add($"Missing required parameter: '{path}.tool_call_id'.");
        }

        var text = ReadTextContent(message, path, required: true, state);
        if (id is null || text is null)
        {
            return null;
        }

        return new ToolResultPart(id, text.Length == 0 ? [] : [new TextPart(text)], false);
    }

    private static void ReadTools(JsonElement value, List<ToolDefinition> tools, State state)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            state.WrongType("tools", "an array");
            return;
        }

        var i = -1;
        foreach (var tool in value.EnumerateArray())
        {
            i++;
            var type = PartType(tool);
            if (type != "function")
            {
                if (type is null)
                {
                    state.Errors.Add($"Missing required parameter: 'tools[{i}].type'.");
                }
                else
                {
                    state.Native("tool_type:" + type);
                }

                continue;
            }

            if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                state.Errors.Add($"Missing required parameter: 'tools[{i}].function'.");
                continue;
            }

            var name = String(function, "name");
            if (name is null)
            {
                state.Errors.Add($"Missing required parameter: 'tools[{i}].function.name'.");
                continue;
            }

            JsonElement? parameters = null;
            if (function.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
            {
                if (p.ValueKind != JsonValueKind.Object)
                {
                    state.WrongType($"tools[{i}].function.parameters", "an object");
                    continue;
                }

                parameters = p.Clone();
            }

            if (function.TryGetProperty("strict", out var strict) && strict.ValueKind == JsonValueKind.True)
            {
                state.Drop("tool_strict"); // other APIs follow the schema without a hard guarantee
            }

            tools.Add(new ToolDefinition(name, String(function, "description"), parameters));
        }
    }

    private static ToolChoice? ReadToolChoice(JsonElement value, State state)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            switch (value.GetString())
            {
                case "auto":
                    return new ToolChoice(ToolChoiceKind.Auto);
                case "none":
                    return new ToolChoice(ToolChoiceKind.None);
                case "required":
                    return new ToolChoice(ToolChoiceKind.Required);
            }

            state.Errors.Add($"Invalid value: '{value.GetString()}'. Supported values are: 'none', 'auto', and 'required'.");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            state.WrongType("tool_choice", "a string or an object");
            return null;
        }

        var type = PartType(value);
        if (type != "function")
        {
            if (type is null)
            {
                state.Errors.Add("Missing required parameter: 'tool_choice.type'.");
            }
            else
            {
                state.Native("tool_choice:" + type);
            }

            return null;
        }

        var name = value.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object ? String(function, "name") : null;
        if (name is null)
        {
            state.Errors.Add("Missing required parameter: 'tool_choice.function.name'.");
            return null;
        }

        return new ToolChoice(ToolChoiceKind.Tool, name);
    }

    private static void ReadStop(JsonElement value, List<string> stop, State state)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            stop.Add(value.GetString()!);
            return;
        }

        if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            state.WrongType("stop", "a string or an array of strings");
            return;
        }

        stop.AddRange(value.EnumerateArray().Select(s => s.GetString()!));
    }

    private static ResponseFormat? ReadResponseFormat(JsonElement value, State state)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            state.WrongType("response_format", "an object");
            return null;
        }

        switch (PartType(value))
        {
            case "text":
                return new ResponseFormat(ResponseFormatKind.Text);
            case "json_object":
                return new ResponseFormat(ResponseFormatKind.JsonObject);
            case "json_schema":
                if (!value.TryGetProperty("json_schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    state.Errors.Add("Missing required parameter: 'response_format.json_schema'.");
                    return null;
                }

                var name = String(schema, "name");
                if (name is null)
                {
                    state.Errors.Add("Missing required parameter: 'response_format.json_schema.name'.");
                    return null;
                }

                JsonElement? body = schema.TryGetProperty("schema", out var s) && s.ValueKind == JsonValueKind.Object ? s.Clone() : null;
                var strict = schema.TryGetProperty("strict", out var st) && st.ValueKind == JsonValueKind.True;
                return new ResponseFormat(ResponseFormatKind.JsonSchema, name, body, strict);
            case var other:
                state.Errors.Add($"Invalid value: '{other}'. Supported values are: 'text', 'json_object', and 'json_schema'.");
                return null;
        }
    }

    private static string? PartType(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? String(element, "type") : null;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Bool(JsonElement value, string name, State state)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        state.WrongType(name, "a boolean");
        return null;
    }

    private static int? Int(JsonElement value, string name, State state)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        state.WrongType(name, "an integer");
        return null;
    }

    private static double? Number(JsonElement value, string name, State state)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        state.Errors.Add(string.Create(CultureInfo.InvariantCulture, $"Invalid type for '{name}': expected a decimal."));
        return null;
    }
}
