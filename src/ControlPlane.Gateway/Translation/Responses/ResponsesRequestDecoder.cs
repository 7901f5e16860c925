using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Responses;

/// <summary>
/// Reads a stateless <c>POST /v1/responses</c> body into a <see cref="ChatRequest"/>. Problems the real API would reject
/// are collected and reported together; features with no meaning elsewhere are named in NativeOnly or Dropped.
/// </summary>
internal static class ResponsesRequestDecoder
{
    public static ChatRequest Decode(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body);
            document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                throw new JsonException("Unexpected data after the JSON value.");
            }
        }
        catch (JsonException)
        {
            throw new InvalidRequestException(
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException("Invalid type for request body: expected an object.");
            }

            return new Reader().Read(document.RootElement);
        }
    }

    /// <summary>One request's reading state: what it found wrong and what it had to name.</summary>
    private sealed class Reader
    {
        private readonly List<string> _problems = [];
        private readonly List<string> _nativeOnly = [];
        private readonly List<string> _dropped = [];
        private readonly List<string> _system = [];
        private readonly List<Turn> _turns = [];

        public ChatRequest Read(JsonElement root)
        {
            string? model = null;
            string? instructions = null;
            var sawInput = false;
            var tools = new List<ToolDefinition>();
            ToolChoice? toolChoice = null;
            bool? parallelToolCalls = null;
            int? maxTokens = null;
            double? temperature = null;
            double? topP = null;
            ResponseFormat? format = null;
            Reasoning? reasoning = null;
            string? user = null;
            var stream = false;
            var store = true;
            var stateful = new List<string>();

            foreach (var property in root.EnumerateObject())
            {
                var value = property.Value;
                if (value.ValueKind == JsonValueKind.Null && property.Name is not "model" and not "input")
                {
                    continue; // SDKs send explicit nulls for unset options
                }

                switch (property.Name)
                {
                    case "model":
                        model = String(value, "model");
                        break;
                    case "input":
                        sawInput = true;
                        ReadInput(value);
                        break;
                    case "instructions":
                        instructions = String(value, "instructions");
                        break;
                    case "tools":
                        ReadTools(value, tools);
                        break;
                    case "tool_choice":
                        toolChoice = ReadToolChoice(value);
                        break;
                    case "parallel_tool_calls":
                        parallelToolCalls = Bool(value, "parallel_tool_calls");
                        break;
                    case "max_output_tokens":
                        maxTokens = Int(value, "max_output_tokens");
                        break;
                    case "temperature":
                        temperature = Number(value, "temperature");
                        break;
                    case "top_p":
                        topP = Number(value, "top_p");
                        break;
                    case "text":
                        format = ReadText(value);
                        break;
                    case "reasoning":
                        reasoning = ReadReasoning(value);
                        break;
                    case "user":
                        user = String(value, "user");
                        break;
                    case "stream":
                        stream = Bool(value, "stream") ?? false;
                        break;
                    case "store":
                        store = Bool(value, "store") ?? true;
                        break;
                    case "background":
                        if (value.ValueKind == JsonValueKind.True)
                        {
                            stateful.Add("background");
                        }

                        break;
                    case "previous_response_id" or "conversation" or "prompt":
                        stateful.Add(property.Name);
                        break;
                    case "metadata" or "service_tier" or "truncation" or "include" or "prompt_cache_key" or "prompt_cache_retention"
                        or "safety_identifier" or "stream_options":
                        _dropped.Add(property.Name);
                        break;
                    case "top_logprobs":
                        _nativeOnly.Add("logprobs");
                        break;
                    case "max_tool_calls":
                        _nativeOnly.Add("max_tool_calls");
                        break;
                    default:
                        _nativeOnly.Add($"unknown_field:{property.Name}");
                        break;
                }
            }

            if (stateful.Count > 0)
            {
                _problems.Add(
                    $"This gateway is stateless: '{string.Join("', '", stateful)}' cannot be served. Send the whole conversation in 'input' instead.");
            }

            if (model is null && !root.TryGetProperty("model", out _))
            {
                _problems.Add("Missing required parameter: 'model'.");
            }

            if (!sawInput && stateful.Count == 0)
            {
                _problems.Add("Missing required parameter: 'input'.");
            }

            if (_problems.Count > 0)
            {
                throw new InvalidRequestException(string.Join(" ", _problems));
            }

            if (store)
            {
                _dropped.Add("store"); // nothing is kept: a later previous_response_id could not find it
            }

            var system = new List<string>(_system.Count + 1);
            if (instructions is { Length: > 0 })
            {
                system.Add(instructions);
            }

            system.AddRange(_system);
            return new ChatRequest
            {
                Model = model!,
                Stream = stream,
                StreamUsage = stream, // response.completed always carries usage, so the target must report it
                System = system,
                Messages = _turns.Select(t => t.ToMessage()).ToList(),
                Tools = tools,
                ToolChoice = toolChoice,
                ParallelToolCalls = parallelToolCalls,
                MaxTokens = maxTokens,
                Temperature = temperature,
                TopP = topP,
                ResponseFormat = format,
                Reasoning = reasoning,
                User = user,
                NativeOnly = _nativeOnly.Distinct(StringComparer.Ordinal).ToList(),
                Dropped = _dropped.Distinct(StringComparer.Ordinal).ToList(),
            };
        }

        private void ReadInput(JsonElement input)
        {
            if (input.ValueKind == JsonValueKind.String)
            {
                Add(ChatRole.User, new TextPart(input.GetString()!));
                return;
            }

            if (input.ValueKind != JsonValueKind.Array)
            {
                _problems.Add("Invalid type for 'input': expected a string or an array of input items.");
                return;
            }

            var i = 0;
            foreach (var item in input.EnumerateArray())
            {
                ReadItem(item, $"input[{i++}]");
            }
        }

        private void ReadItem(JsonElement item, string path)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                _problems.Add($"Invalid type for '{path}': expected an object.");
                return;
            }

            var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : null;
            switch (type)
            {
                case null or "message":
                    ReadMessage(item, path);
                    break;
                case "function_call":
                    var callId = Required(item, "call_id", path);
                    var name = Required(item, "name", path);
                    var arguments = Required(item, "arguments", path);
                    if (callId is not null && name is not null && arguments is not null)
                    {
                        Add(ChatRole.Assistant, new ToolCallPart(callId, name, arguments));
                    }

                    break;
                case "function_call_output":
                    var outputId = Required(item, "call_id", path);
                    if (!item.TryGetProperty("output", out var output))
                    {
                        _problems.Add($"Missing required parameter: '{path}.output'.");
                    }
                    else if (outputId is not null && ReadOutput(output, $"{path}.output") is { } content)
                    {
                        Add(ChatRole.User, new ToolResultPart(outputId, content, false));
                    }

                    break;
                case "reasoning":
                    _dropped.Add("reasoning_items"); // only OpenAI can read its own (encrypted) reasoning back
                    break;
                default:
                    _nativeOnly.Add($"item:{type}");
                    break;
            }
        }

        private void ReadMessage(JsonElement item, string path)
        {
            var role = Required(item, "role", path);
            if (role is null)
            {
                return;
            }

            if (role is not ("user" or "assistant" or "system" or "developer"))
            {
                _problems.Add($"Invalid value: '{role}' at '{path}.role'. Supported values are: 'user', 'assistant', 'system', and 'developer'.");
                return;
            }

            if (!item.TryGetProperty("content", out var content))
            {
                _problems.Add($"Missing required parameter: '{path}.content'.");
                return;
            }

            var parts = ReadContent(content, $"{path}.content", role == "assistant");
            if (parts is null)
            {
                return;
            }

            if (role is "system" or "developer")
            {
                // Instructions live outside the conversation in every target API; the position is not kept.
                var text = string.Join("\n", parts.OfType<TextPart>().Select(p => p.Text));
                if (parts.Any(p => p is not TextPart))
                {
                    _problems.Add($"Invalid content at '{path}.content': {role} messages take text only.");
                }
                else if (text.Length > 0)
                {
                    _system.Add(text);
                }

                return;
            }

            var chatRole = role == "user" ? ChatRole.User : ChatRole.Assistant;
            foreach (var part in parts)
            {
                Add(chatRole, part);
            }
        }

        /// <summary>Message content: a string, or an array of content parts. Null when it is invalid.</summary>
        private List<ContentPart>? ReadContent(JsonElement content, string path, bool assistant)
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                var text = content.GetString()!;
                return text.Length == 0 ? [] : [new TextPart(text)];
            }

            if (content.ValueKind != JsonValueKind.Array)
            {
                _problems.Add($"Invalid type for '{path}': expected a string or an array of content parts.");
                return null;
            }

            var parts = new List<ContentPart>();
            var i = 0;
            foreach (var part in content.EnumerateArray())
            {
                var partPath = $"{path}[{i++}]";
                var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                    ? t.GetString()
                    : null;
                switch (type)
                {
                    case "input_text" or "output_text":
                        if (Required(part, "text", partPath) is { } text)
                        {
                            parts.Add(new TextPart(text));
                        }

                        break;
                    case "refusal":
                        if (Required(part, "refusal", partPath) is { } refusal)
                        {
                            parts.Add(new TextPart(refusal)); // an earlier refusal, replayed as what the assistant said
                        }

                        break;
                    case "input_image" when !assistant:
                        if (ReadImage(part, partPath) is { } image)
                        {
                            parts.Add(image);
                        }

                        break;
                    case "input_file":
                        _nativeOnly.Add("input_file");
                        break;
                    case "input_audio":
                        _nativeOnly.Add("input_audio");
                        break;
                    case null:
                        _problems.Add($"Missing required parameter: '{partPath}.type'.");
                        break;
                    default:
                        _problems.Add($"Invalid value: '{type}' at '{partPath}.type'. Supported values are: 'input_text', 'input_image', 'input_file', 'output_text' and 'refusal'.");
                        break;
                }
            }

            return parts;
        }

        private ImagePart? ReadImage(JsonElement part, string path)
        {
            if (part.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String && detail.GetString() != "auto")
            {
                _dropped.Add("image_detail");
            }

            if (part.TryGetProperty("file_id", out var fileId) && fileId.ValueKind == JsonValueKind.String)
            {
                _nativeOnly.Add("input_image_file_id");
                return null;
            }

            if (!part.TryGetProperty("image_url", out var urlElement) || urlElement.ValueKind != JsonValueKind.String)
            {
                _problems.Add($"Missing required parameter: '{path}.image_url'.");
                return null;
            }

            var url = urlElement.GetString()!;
            if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            {
                const string marker = ";base64,";
                var at = url.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
                if (at <= 5)
                {
                    _problems.Add($"Invalid '{path}.image_url'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,...').");
                    return null;
                }

                return new ImagePart(url[5..at], url[(at + marker.Length)..], null);
            }

            return new ImagePart(null, null, url);
        }

        /// <summary>A function call's output: a string, or content parts (text, images).</summary>
        private List<ContentPart>? ReadOutput(JsonElement output, string path)
        {
            if (output.ValueKind == JsonValueKind.String)
            {
                var text = output.GetString()!;
                return text.Length == 0 ? [] : [new TextPart(text)];
            }

            return ReadContent(output, path, assistant: false);
        }

        private void ReadTools(JsonElement value, List<ToolDefinition> tools)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                _problems.Add("Invalid type for 'tools': expected an array.");
                return;
            }

            var i = 0;
            foreach (var tool in value.EnumerateArray())
            {
                var path = $"tools[{i++}]";
                var type = tool.ValueKind == JsonValueKind.Object ? Required(tool, "type", path) : null;
                if (type is null)
                {
                    if (tool.ValueKind != JsonValueKind.Object)
                    {
                        _problems.Add($"Invalid type for '{path}': expected an object.");
                    }

                    continue;
                }

                if (type != "function")
                {
                    _nativeOnly.Add($"tool_type:{type}"); // hosted tools (web_search, file_search, mcp…) and custom tools
                    continue;
                }

                var name = Required(tool, "name", path);
                var description = tool.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                JsonElement? parameters = tool.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : null;
                if (tool.TryGetProperty("strict", out var strict) && strict.ValueKind == JsonValueKind.True)
                {
                    _dropped.Add("tools.strict"); // other APIs follow the schema without a guarantee
                }

                if (name is not null)
                {
                    tools.Add(new ToolDefinition(name, description, parameters));
                }
            }
        }

        private ToolChoice? ReadToolChoice(JsonElement value)
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
                    default:
                        _problems.Add($"Invalid value: '{value.GetString()}' at 'tool_choice'. Supported values are: 'none', 'auto', and 'required'.");
                        return null;
                }
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                _problems.Add("Invalid type for 'tool_choice': expected a string or an object.");
                return null;
            }

            var type = Required(value, "type", "tool_choice");
            if (type == "function")
            {
                return Required(value, "name", "tool_choice") is { } name ? new ToolChoice(ToolChoiceKind.Tool, name) : null;
            }

            if (type is not null)
            {
                _nativeOnly.Add($"tool_choice:{type}");
            }

            return null;
        }

        private ResponseFormat? ReadText(JsonElement text)
        {
            if (text.ValueKind != JsonValueKind.Object)
            {
                _problems.Add("Invalid type for 'text': expected an object.");
                return null;
            }

            if (text.TryGetProperty("verbosity", out var verbosity) && verbosity.ValueKind != JsonValueKind.Null)
            {
                _dropped.Add("text.verbosity");
            }

            if (!text.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            switch (Required(format, "type", "text.format"))
            {
                case "text":
                    return null;
                case "json_object":
                    return new ResponseFormat(ResponseFormatKind.JsonObject);
                case "json_schema":
                    var name = Required(format, "name", "text.format");
                    if (!format.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                    {
                        _problems.Add("Missing required parameter: 'text.format.schema'.");
                        return null;
                    }

                    var strict = format.TryGetProperty("strict", out var s) && s.ValueKind == JsonValueKind.True;
                    return name is null ? null : new ResponseFormat(ResponseFormatKind.JsonSchema, name, schema.Clone(), strict);
                case { } other:
                    _problems.Add($"Invalid value: '{other}' at 'text.format.type'. Supported values are: 'text', 'json_object', and 'json_schema'.");
                    return null;
                default:
                    return null;
            }
        }

        private Reasoning? ReadReasoning(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                _problems.Add("Invalid type for 'reasoning': expected an object.");
                return null;
            }

            if ((value.TryGetProperty("summary", out var summary) && summary.ValueKind != JsonValueKind.Null)
                || (value.TryGetProperty("generate_summary", out var generate) && generate.ValueKind != JsonValueKind.Null))
            {
                _dropped.Add("reasoning.summary");
            }

            if (!value.TryGetProperty("effort", out var effort) || effort.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            var level = String(effort, "reasoning.effort");
            if (level is not (null or "none" or "minimal" or "low" or "medium" or "high" or "xhigh"))
            {
                _problems.Add($"Invalid value: '{level}' at 'reasoning.effort'. Supported values are: 'none', 'minimal', 'low', 'medium', 'high', and 'xhigh'.");
                return null;
            }

            return level is null ? null : new Reasoning(level, null);
        }

        /// <summary>Adds a part to the conversation: consecutive items of one role are one turn.</summary>
        private void Add(ChatRole role, ContentPart part)
        {
            if (_turns.Count == 0 || _turns[^1].Role != role)
            {
                _turns.Add(new Turn(role));
            }

            _turns[^1].Add(part);
        }

        private string? Required(JsonElement element, string name, string path)
        {
            if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                _problems.Add($"Missing required parameter: '{path}.{name}'.");
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

            _problems.Add($"Invalid type for '{path}': expected a string, but got {Describe(value)} instead.");
            return null;
        }

        private bool? Bool(JsonElement value, string path)
        {
            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }

            _problems.Add($"Invalid type for '{path}': expected a boolean, but got {Describe(value)} instead.");
            return null;
        }

        private int? Int(JsonElement value, string path)
        {
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n))
            {
                return n;
            }

            _problems.Add($"Invalid type for '{path}': expected an integer, but got {Describe(value)} instead.");
            return null;
        }

        private double? Number(JsonElement value, string path)
        {
            if (value.ValueKind == JsonValueKind.Number)
            {
                return value.GetDouble();
            }

            _problems.Add($"Invalid type for '{path}': expected a decimal, but got {Describe(value)} instead.");
            return null;
        }

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            _ => "null",
        };
    }

    /// <summary>A turn being built; tool results go first, as every target wants them right after the calls.</summary>
    private sealed class Turn(ChatRole role)
    {
        private readonly List<ContentPart> _parts = [];
        private int _toolResults;

        public ChatRole Role { get; } = role;

        public void Add(ContentPart part)
        {
            if (part is ToolResultPart)
            {
                _parts.Insert(_toolResults++, part);
            }
            else
            {
                _parts.Add(part);
            }
        }

        public ChatMessage ToMessage() => new(Role, _parts);
    }
}
