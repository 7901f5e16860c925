using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Anthropic;

/// <summary>
/// Reads a Messages API request body (what Claude Code and the official SDKs send) into a <see cref="ChatRequest"/>.
/// Every field the API documents is either mapped, named in <see cref="ChatRequest.Dropped"/> or named in
/// <see cref="ChatRequest.NativeOnly"/>; a request the API itself would reject raises <see cref="InvalidRequestException"/>
/// listing every problem found.
/// </summary>
internal static class AnthropicRequestDecoder
{
    public static ChatRequest Decode(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            throw new InvalidRequestException("The request body is not valid JSON.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException("The request body must be a JSON object.");
            }

            return new Reader().Read(root);
        }
    }

    /// <summary>Per-request state: the problems found so far and the feature lists, in first-seen order.</summary>
    private sealed class Reader
    {
        private readonly List<string> _problems = [];
        private readonly List<string> _nativeOnly = [];
        private readonly List<string> _dropped = [];
        private readonly List<string> _lateSystem = [];

        public ChatRequest Read(JsonElement root)
        {
            string? model = null;
            int? maxTokens = null;
            var messages = new List<ChatMessage>();
            var system = new List<string>();
            var tools = new List<ToolDefinition>();
            ToolChoice? toolChoice = null;
            bool? parallel = null;
            double? temperature = null, topP = null;
            int? topK = null;
            var stops = new List<string>();
            var stream = false;
            string? user = null;
            JsonElement? thinking = null;
            string? effort = null;
            ResponseFormat? format = null;
            bool sawModel = false, sawMaxTokens = false, sawMessages = false;

            foreach (var property in root.EnumerateObject())
            {
                var value = property.Value;
                switch (property.Name)
                {
                    case "model":
                        sawModel = true;
                        model = String(value, "model");
                        break;
                    case "max_tokens":
                        sawMaxTokens = true;
                        maxTokens = Int(value, "max_tokens");
                        break;
                    case "messages":
                        sawMessages = true;
                        ReadMessages(value, messages);
                        break;
                    case "system":
                        ReadSystem(value, system);
                        break;
                    case "tools":
                        ReadTools(value, tools);
                        break;
                    case "tool_choice":
                        (toolChoice, parallel) = ReadToolChoice(value);
                        break;
                    case "temperature":
                        temperature = Number(value, "temperature");
                        break;
                    case "top_p":
                        topP = Number(value, "top_p");
                        break;
                    case "top_k":
                        topK = Int(value, "top_k");
                        break;
                    case "stop_sequences":
                        ReadStrings(value, "stop_sequences", stops);
                        break;
                    case "stream":
                        stream = Bool(value, "stream") ?? false;
                        break;
                    case "metadata":
                        user = ReadMetadata(value);
                        break;
                    case "thinking":
                        if (value.ValueKind != JsonValueKind.Null)
                        {
                            thinking = value;
                        }

                        break;
                    case "output_config":
                        (effort, var configFormat) = ReadOutputConfig(value);
                        format = configFormat ?? format;
                        break;
                    case "output_format":
                        // The structured-outputs beta's first spelling, since moved into output_config.format.
                        format = ReadFormat(value, "output_format") ?? format;
                        break;
                    case "cache_control":
                        // Top-level automatic prompt caching: a cost hint, not part of the answer.
                        Drop(value, "cache_control");
                        break;
                    case "context_management":
                        // Server-side pruning of old thinking/tool results; without it the model sees the whole history.
                        Drop(value, "context_management");
                        break;
                    case "service_tier":
                    case "inference_geo":
                    case "speed":
                        Drop(value, property.Name);
                        break;
                    case "container":
                    case "mcp_servers":
                        if (value.ValueKind != JsonValueKind.Null)
                        {
                            Native(property.Name);
                        }

                        break;
                    default:
                        Native("unknown_field:" + property.Name);
                        break;
                }
            }

            if (!sawModel)
            {
                _problems.Add("model: Field required");
            }

            if (!sawMaxTokens)
            {
                _problems.Add("max_tokens: Field required");
            }

            if (!sawMessages)
            {
                _problems.Add("messages: Field required");
            }

            var reasoning = thinking is { } t ? ReadThinking(t, effort) : effort is null ? null : new Reasoning(effort, null);

            if (_problems.Count > 0)
            {
                throw new InvalidRequestException(string.Join("; ", _problems));
            }

            return new ChatRequest
            {
                Model = model!,
                MaxTokens = maxTokens,
                Messages = messages,
                System = [.. system, .. _lateSystem],
                Tools = tools,
                ToolChoice = toolChoice,
                ParallelToolCalls = parallel,
                Temperature = temperature,
                TopP = topP,
                TopK = topK,
                StopSequences = stops,
                Stream = stream,
                User = user,
                Reasoning = reasoning,
                ResponseFormat = format,
                NativeOnly = _nativeOnly,
                Dropped = _dropped,
            };
        }

        private void ReadMessages(JsonElement value, List<ChatMessage> messages)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                _problems.Add("messages: Input should be a valid list");
                return;
            }

            var i = 0;
            foreach (var message in value.EnumerateArray())
            {
                var path = $"messages.{i++}";
                if (message.ValueKind != JsonValueKind.Object)
                {
                    _problems.Add($"{path}: Input should be a valid dictionary");
                    continue;
                }

                ChatRole? role = null;
                if (!message.TryGetProperty("role", out var roleElement))
                {
                    _problems.Add($"{path}.role: Field required");
                }
                else
                {
                    if (roleElement.ValueKind == JsonValueKind.String && roleElement.GetString() == "system")
                    {
                        // A system turn inside the conversation (Claude Code sends one per turn, with its per-turn
                        // control beta). Other APIs take instructions up front only: it joins the system prompt there.
                        if (message.TryGetProperty("content", out var instructions))
                        {
                            ReadSystem(instructions, _lateSystem);
                            _dropped.AddOnce("system_position");
                        }

                        continue;
                    }

                    role = roleElement.ValueKind == JsonValueKind.String ? roleElement.GetString() switch
                    {
                        "user" => ChatRole.User,
                        "assistant" => ChatRole.Assistant,
                        _ => null,
                    } : null;
                    if (role is null)
                    {
                        _problems.Add($"{path}.role: Input should be 'user', 'assistant' or 'system'");
                    }
                }

                if (!message.TryGetProperty("content", out var content))
                {
                    _problems.Add($"{path}.content: Field required");
                    continue;
                }

                var parts = ReadContent(content, $"{path}.content");
                if (role is { } r)
                {
                    messages.Add(new ChatMessage(r, parts));
                }
            }
        }

        private List<ContentPart> ReadContent(JsonElement content, string path)
        {
            var parts = new List<ContentPart>();
            if (content.ValueKind == JsonValueKind.String)
            {
                parts.Add(new TextPart(content.GetString()!));
                return parts;
            }

            if (content.ValueKind != JsonValueKind.Array)
            {
                _problems.Add($"{path}: Input should be a valid string or list of content blocks");
                return parts;
            }

            var i = 0;
            foreach (var block in content.EnumerateArray())
            {
                var blockPath = $"{path}.{i++}";
                if (Type(block, blockPath) is not { } type)
                {
                    continue;
                }

                DropCacheControl(block);
                switch (type)
                {
                    case "text":
                        if (block.TryGetProperty("citations", out var citations) && citations.ValueKind != JsonValueKind.Null)
                        {
                            Drop(citations, "citations");
                        }

                        if (RequiredString(block, "text", blockPath) is { } text)
                        {
                            parts.Add(new TextPart(text));
                        }

                        break;
                    case "image":
                        if (ReadImage(block, blockPath) is { } image)
                        {
                            parts.Add(image);
                        }

                        break;
                    case "tool_use":
                        var id = RequiredString(block, "id", blockPath);
                        var name = RequiredString(block, "name", blockPath);
                        if (!block.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
                        {
                            _problems.Add($"{blockPath}.input: Input should be a valid dictionary");
                        }
                        else if (id is not null && name is not null)
                        {
                            parts.Add(new ToolCallPart(id, name, input.GetRawText()));
                        }

                        break;
                    case "tool_result":
                        if (ReadToolResult(block, blockPath) is { } result)
                        {
                            parts.Add(result);
                        }

                        break;
                    case "thinking":
                        var thinking = RequiredString(block, "thinking", blockPath);
                        var signature = block.TryGetProperty("signature", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                        if (thinking is not null)
                        {
                            parts.Add(new ThinkingPart(thinking, signature));
                        }

                        break;
                    case "redacted_thinking":
                        // Encrypted reasoning only Anthropic can read back; other APIs never see it, and it is no answer text.
                        Drop(block, "redacted_thinking");
                        break;
                    default:
                        // document, search_result, container_upload, server_tool_use, *_tool_result, mcp_*…:
                        // blocks that only mean something to Anthropic's own servers.
                        Native(type);
                        break;
                }
            }

            return parts;
        }

        private ImagePart? ReadImage(JsonElement block, string path)
        {
            if (!block.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object)
            {
                _problems.Add($"{path}.source: Field required");
                return null;
            }

            switch (Type(source, $"{path}.source"))
            {
                case "base64":
                    var mediaType = RequiredString(source, "media_type", $"{path}.source");
                    var data = RequiredString(source, "data", $"{path}.source");
                    return mediaType is null || data is null ? null : new ImagePart(mediaType, data, null);
                case "url":
                    return RequiredString(source, "url", $"{path}.source") is { } url ? new ImagePart(null, null, url) : null;
                case null:
                    return null;
                default:
                    // file (Files API ids) and text sources exist only on Anthropic.
                    Native("image_source:" + source.GetProperty("type").GetString());
                    return null;
            }
        }

        private ToolResultPart? ReadToolResult(JsonElement block, string path)
        {
            var id = RequiredString(block, "tool_use_id", path);
            var isError = block.TryGetProperty("is_error", out var e) && e.ValueKind == JsonValueKind.True;
            var content = new List<ContentPart>();
            if (block.TryGetProperty("content", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                foreach (var part in ReadContent(c, $"{path}.content"))
                {
                    if (part is TextPart or ImagePart)
                    {
                        content.Add(part);
                    }
                    else
                    {
                        _problems.Add($"{path}.content: tool_result content may hold only text and image blocks");
                    }
                }
            }

            return id is null ? null : new ToolResultPart(id, content, isError);
        }

        private void ReadSystem(JsonElement value, List<string> system)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                system.Add(value.GetString()!);
                return;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                _problems.Add("system: Input should be a valid string or list of text blocks");
                return;
            }

            var i = 0;
            foreach (var block in value.EnumerateArray())
            {
                var path = $"system.{i++}";
                var type = Type(block, path);
                if (type is null)
                {
                    continue;
                }

                if (type != "text")
                {
                    _problems.Add($"{path}.type: Input should be 'text'");
                    continue;
                }

                DropCacheControl(block);
                if (block.TryGetProperty("citations", out var citations) && citations.ValueKind != JsonValueKind.Null)
                {
                    Drop(citations, "citations");
                }

                if (RequiredString(block, "text", path) is { } text)
                {
                    system.Add(text);
                }
            }
        }

        private void ReadTools(JsonElement value, List<ToolDefinition> tools)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                _problems.Add("tools: Input should be a valid list");
                return;
            }

            var i = 0;
            foreach (var tool in value.EnumerateArray())
            {
                var path = $"tools.{i++}";
                if (tool.ValueKind != JsonValueKind.Object)
                {
                    _problems.Add($"{path}: Input should be a valid dictionary");
                    continue;
                }

                if (tool.TryGetProperty("type", out var type) && type.ValueKind != JsonValueKind.Null &&
                    !(type.ValueKind == JsonValueKind.String && type.GetString() == "custom"))
                {
                    // web_search_*, bash_*, text_editor_*, code_execution_*, computer_*…: run by Anthropic itself.
                    Native("server_tools");
                    continue;
                }

                if (tool.TryGetProperty("defer_loading", out var deferred) && deferred.ValueKind == JsonValueKind.True)
                {
                    // A deferred tool is not in the model's context until Anthropic's tool search loads it, so the
                    // model cannot call it directly: leaving it out of another API's request changes nothing the
                    // model sees. (Claude Code always sends one such placeholder.)
                    _dropped.AddOnce("deferred_tools");
                    continue;
                }

                string? name = null, description = null;
                JsonElement? schema = null;
                foreach (var field in tool.EnumerateObject())
                {
                    switch (field.Name)
                    {
                        case "type":
                            break;
                        case "name":
                            name = String(field.Value, $"{path}.name");
                            break;
                        case "description":
                            description = field.Value.ValueKind == JsonValueKind.Null ? null : String(field.Value, $"{path}.description");
                            break;
                        case "input_schema":
                            if (field.Value.ValueKind != JsonValueKind.Object)
                            {
                                _problems.Add($"{path}.input_schema: Input should be a valid dictionary");
                            }
                            else
                            {
                                schema = field.Value.Clone();
                            }

                            break;
                        case "cache_control":
                            Drop(field.Value, "cache_control");
                            break;
                        case "strict":
                            // Anthropic's guarantee that tool inputs match the schema; the call itself means the same without it.
                            if (field.Value.ValueKind == JsonValueKind.True)
                            {
                                _dropped.AddOnce("strict");
                            }

                            break;
                        case "eager_input_streaming":
                        case "input_examples":
                            Drop(field.Value, field.Name);
                            break;
                        case "defer_loading":
                            break; // false here: a deferred tool was left out above
                        case "allowed_callers":
                            Drop(field.Value, "allowed_callers");
                            break;
                        default:
                            Native($"unknown_field:tools.{field.Name}");
                            break;
                    }
                }

                if (name is null)
                {
                    if (!tool.TryGetProperty("name", out _))
                    {
                        _problems.Add($"{path}.name: Field required");
                    }

                    continue;
                }

                if (schema is null && !tool.TryGetProperty("input_schema", out _))
                {
                    _problems.Add($"{path}.input_schema: Field required");
                }

                tools.Add(new ToolDefinition(name, description, schema));
            }
        }

        private (ToolChoice?, bool?) ReadToolChoice(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                return (null, null);
            }

            if (Type(value, "tool_choice") is not { } type)
            {
                return (null, null);
            }

            bool? parallel = value.TryGetProperty("disable_parallel_tool_use", out var d) && d.ValueKind == JsonValueKind.True ? false : null;
            switch (type)
            {
                case "auto":
                    return (new ToolChoice(ToolChoiceKind.Auto), parallel);
                case "any":
                    return (new ToolChoice(ToolChoiceKind.Required), parallel);
                case "none":
                    return (new ToolChoice(ToolChoiceKind.None), null);
                case "tool":
                    var name = RequiredString(value, "name", "tool_choice");
                    return (name is null ? null : new ToolChoice(ToolChoiceKind.Tool, name), parallel);
                default:
                    _problems.Add("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
                    return (null, null);
            }
        }

        private string? ReadMetadata(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                _problems.Add("metadata: Input should be a valid dictionary");
                return null;
            }

            string? user = null;
            foreach (var field in value.EnumerateObject())
            {
                if (field.Name == "user_id")
                {
                    user = field.Value.ValueKind == JsonValueKind.Null ? null : String(field.Value, "metadata.user_id");
                }
                else
                {
                    _dropped.AddOnce("metadata");
                }
            }

            return user;
        }

        private Reasoning? ReadThinking(JsonElement value, string? effort)
        {
            switch (Type(value, "thinking"))
            {
                case "enabled":
                    // A bare {type:"enabled"} (some clients send it) asks for thinking at the default depth.
                    var budget = value.TryGetProperty("budget_tokens", out var b) && b.ValueKind != JsonValueKind.Null
                        ? Int(b, "thinking.budget_tokens")
                        : null;
                    return budget is null ? new Reasoning(effort ?? "medium", null) : new Reasoning(effort, budget);
                case "adaptive":
                    return new Reasoning(effort ?? "medium", null);
                case "disabled":
                    return effort is null ? null : new Reasoning(effort, null);
                case null:
                    return null;
                default:
                    _problems.Add("thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'");
                    return null;
            }
        }

        private (string? Effort, ResponseFormat? Format) ReadOutputConfig(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                return (null, null);
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                _problems.Add("output_config: Input should be a valid dictionary");
                return (null, null);
            }

            string? effort = null;
            ResponseFormat? format = null;
            foreach (var field in value.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "effort":
                        effort = field.Value.ValueKind == JsonValueKind.Null ? null : String(field.Value, "output_config.effort") switch
                        {
                            // "max" is Anthropic's alone; the other APIs' strongest common level is "high".
                            "max" => "high",
                            var level => level,
                        };
                        break;
                    case "format":
                        format = ReadFormat(field.Value, "output_config.format");
                        break;
                    case "task_budget":
                        // An advisory countdown shown to the model; the answer's meaning does not depend on it.
                        Drop(field.Value, "task_budget");
                        break;
                    default:
                        Native("unknown_field:output_config." + field.Name);
                        break;
                }
            }

            return (effort, format);
        }

        private ResponseFormat? ReadFormat(JsonElement value, string path)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (Type(value, path) is not { } type)
            {
                return null;
            }

            if (type != "json_schema")
            {
                _problems.Add($"{path}.type: Input should be 'json_schema'");
                return null;
            }

            if (!value.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
            {
                _problems.Add($"{path}.schema: Field required");
                return null;
            }

            // Anthropic's structured outputs are enforced by constrained decoding: strict in OpenAI's terms.
            return new ResponseFormat(ResponseFormatKind.JsonSchema, null, schema.Clone(), Strict: true);
        }

        private void ReadStrings(JsonElement value, string path, List<string> strings)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                _problems.Add($"{path}: Input should be a valid list");
                return;
            }

            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (String(item, $"{path}.{i++}") is { } s)
                {
                    strings.Add(s);
                }
            }
        }

        private void DropCacheControl(JsonElement block)
        {
            if (block.TryGetProperty("cache_control", out var cache))
            {
                Drop(cache, "cache_control");
            }
        }

        private void Drop(JsonElement value, string feature)
        {
            if (value.ValueKind != JsonValueKind.Null)
            {
                _dropped.AddOnce(feature);
            }
        }

        private void Native(string feature) => _nativeOnly.AddOnce(feature);

        private string? Type(JsonElement block, string path)
        {
            if (block.ValueKind != JsonValueKind.Object)
            {
                _problems.Add($"{path}: Input should be a valid dictionary");
                return null;
            }

            if (!block.TryGetProperty("type", out var type))
            {
                _problems.Add($"{path}.type: Field required");
                return null;
            }

            return String(type, $"{path}.type");
        }

        private string? RequiredString(JsonElement obj, string name, string path)
        {
            if (!obj.TryGetProperty(name, out var value))
            {
                _problems.Add($"{path}.{name}: Field required");
                return null;
            }

            return String(value, $"{path}.{name}");
        }

        private string? String(JsonElement value, string path)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return value.GetString();
            }

            _problems.Add($"{path}: Input should be a valid string");
            return null;
        }

        private int? Int(JsonElement value, string path)
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i))
            {
                return i;
            }

            _problems.Add($"{path}: Input should be a valid integer");
            return null;
        }

        private double? Number(JsonElement value, string path)
        {
            if (value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind == JsonValueKind.Number)
            {
                return value.GetDouble();
            }

            _problems.Add($"{path}: Input should be a valid number");
            return null;
        }

        private bool? Bool(JsonElement value, string path)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                case JsonValueKind.Null:
                    return false;
                default:
                    _problems.Add($"{path}: Input should be a valid boolean");
                    return null;
            }
        }
    }

    private static void AddOnce(this List<string> list, string item)
    {
        if (!list.Contains(item))
        {
            list.Add(item);
        }
    }
}
