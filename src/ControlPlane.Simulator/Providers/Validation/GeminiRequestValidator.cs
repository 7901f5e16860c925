using System.Collections.Frozen;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Simulator.Providers.Reasoning;

namespace ControlPlane.Simulator.Providers.Validation;

/// Validates a generateContent / streamGenerateContent body the way Google's front end does, in two passes:
/// first the proto-JSON parse (every unknown field at any level, in camelCase or snake_case, and a part setting
/// two members of its 'data' oneof), then the GenerateContentRequest checks ("* GenerateContentRequest.x: …" lines,
/// all of them), then role and function-call turn order. Schemas (parameters, responseSchema, …) are not walked.
internal sealed class GeminiRequestValidator : IRequestValidator
{
    public static GeminiRequestValidator Instance { get; } = new();

    private static readonly string[] s_dataFields = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "executableCode", "codeExecutionResult"];

    private static readonly Proto s_request = BuildSchema();

    public RequestProblem? Validate(JsonElement body, ValidationContext context)
    {
        if (!Json.IsObject(body))
        {
            return new RequestProblem("Invalid JSON payload received. Expected an object.");
        }

        var violations = new List<(string Field, string Description)>();
        Walk(body, s_request, "", violations);
        if (violations.Count > 0)
        {
            var details = new JsonArray(new JsonObject
            {
                ["@type"] = "type.googleapis.com/google.rpc.BadRequest",
                ["fieldViolations"] = new JsonArray(violations.Select(v => (JsonNode)new JsonObject { ["field"] = v.Field, ["description"] = v.Description }).ToArray()),
            });
            return new RequestProblem(string.Join("\n", violations.Select(v => v.Description)), Details: details);
        }

        var lines = RequestLines(body);
        if (lines.Count > 0)
        {
            var message = new StringBuilder();
            foreach (var line in lines)
            {
                message.Append("* GenerateContentRequest.").Append(line).Append('\n');
            }

            return new RequestProblem(message.ToString());
        }

        return CheckTurns(body) is { } turns ? new RequestProblem(turns) : ReasoningRules.CheckGemini(body, context.Model);
    }

    private static void Walk(JsonElement obj, Proto proto, string path, List<(string, string)> violations)
    {
        string? firstData = null;
        foreach (var property in obj.EnumerateObject())
        {
            if (!proto.Fields.TryGetValue(property.Name, out var field))
            {
                var at = path.Length == 0 ? "" : $" at '{path}'";
                violations.Add((path, $"Invalid JSON payload received. Unknown name \"{property.Name}\"{at}: Cannot find field."));
                continue;
            }

            if (proto.HasDataOneof && field.IsData && property.Value.ValueKind != JsonValueKind.Null)
            {
                if (firstData is not null)
                {
                    violations.Add((path, $"Invalid JSON payload received. Invalid value at '{path}' (oneof), oneof field 'data' is already set. Cannot set '{property.Name}'"));
                }

                firstData ??= property.Name;
            }

            if (field.Message is not { } child)
            {
                continue;
            }

            var childPath = path.Length == 0 ? field.Snake : $"{path}.{field.Snake}";
            if (field.Repeated && property.Value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    if (Json.IsObject(item))
                    {
                        Walk(item, child, $"{childPath}[{i}]", violations);
                    }

                    i++;
                }
            }
            else if (Json.IsObject(property.Value))
            {
                Walk(property.Value, child, childPath, violations);
            }
        }
    }

    private static List<string> RequestLines(JsonElement body)
    {
        var lines = new List<string>();
        var contents = Field(body, "contents");
        if (contents is not { ValueKind: JsonValueKind.Array } || contents.Value.GetArrayLength() == 0)
        {
            lines.Add("contents: contents is not specified");
        }
        else
        {
            var i = 0;
            foreach (var content in contents.Value.EnumerateArray())
            {
                CheckParts(content, $"contents[{i}]", lines);
                i++;
            }
        }

        if (Field(body, "systemInstruction") is { ValueKind: JsonValueKind.Object } system && Field(system, "parts") is { ValueKind: JsonValueKind.Array })
        {
            CheckParts(system, "system_instruction", lines);
        }

        var t = 0;
        foreach (var tool in Items(body, "tools"))
        {
            var d = 0;
            foreach (var declaration in Items(tool, "functionDeclarations"))
            {
                var path = $"tools[{t}].function_declarations[{d}]";
                if (string.IsNullOrEmpty(StringField(declaration, "name")))
                {
                    lines.Add($"{path}.name: Name cannot be empty.");
                }

                if (Field(declaration, "parameters") is not null && Field(declaration, "parametersJsonSchema") is not null)
                {
                    lines.Add($"{path}.parameters: parameters and parameters_json_schema cannot both be set.");
                }

                d++;
            }

            t++;
        }

        if (Field(body, "generationConfig") is { ValueKind: JsonValueKind.Object } config
            && Field(config, "responseSchema") is not null && Field(config, "responseJsonSchema") is not null)
        {
            lines.Add("generation_config.response_schema: response_schema and response_json_schema cannot both be set.");
        }

        return lines;
    }

    private static void CheckParts(JsonElement content, string path, List<string> lines)
    {
        if (Field(content, "parts") is not { ValueKind: JsonValueKind.Array } parts || parts.GetArrayLength() == 0)
        {
            lines.Add($"{path}.parts: contents.parts must not be empty.");
            return;
        }

        var j = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var partPath = $"{path}.parts[{j++}]";
            if (!Json.IsObject(part) || !s_dataFields.Any(f => Field(part, f) is not null))
            {
                lines.Add($"{partPath}.data: required oneof field 'data' must have one initialized field");
                continue;
            }

            if (Field(part, "functionCall") is { } call && string.IsNullOrEmpty(StringField(call, "name")))
            {
                lines.Add($"{partPath}.function_call.name: Name cannot be empty.");
            }

            if (Field(part, "functionResponse") is { } response)
            {
                if (string.IsNullOrEmpty(StringField(response, "name")))
                {
                    lines.Add($"{partPath}.function_response.name: Name cannot be empty.");
                }

                if (Field(response, "response") is not { ValueKind: JsonValueKind.Object })
                {
                    lines.Add($"{partPath}.function_response.response: response must be a JSON object.");
                }
            }
        }
    }

    /// Roles, and the order function calling imposes: a call turn follows a user or function-response turn, and a
    /// function-response turn answers the call turn right before it, part for part.
    private static string? CheckTurns(JsonElement body)
    {
        var contents = Items(body, "contents").ToList();
        foreach (var content in contents)
        {
            if (StringField(content, "role") is { } role && role is not ("user" or "model" or "function"))
            {
                return "Please use a valid role: user, model.";
            }
        }

        for (var i = 0; i < contents.Count; i++)
        {
            var calls = CountParts(contents[i], "functionCall");
            var responses = CountParts(contents[i], "functionResponse");
            if (calls > 0 && (i == 0 || (CountParts(contents[i - 1], "functionCall") > 0)))
            {
                return "Please ensure that function call turn comes immediately after a user turn or after a function response turn.";
            }

            if (responses > 0)
            {
                var previousCalls = i == 0 ? 0 : CountParts(contents[i - 1], "functionCall");
                if (previousCalls == 0)
                {
                    return "Please ensure that function response turn comes immediately after a function call turn.";
                }

                if (previousCalls != responses)
                {
                    return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
                }
            }
        }

        return null;
    }

    private static int CountParts(JsonElement content, string kind) => Items(content, "parts").Count(p => Field(p, kind) is not null);

    /// A field by its camelCase name, also found under its snake_case spelling (proto JSON accepts both).
    internal static JsonElement? Field(JsonElement obj, string camel)
    {
        if (!Json.IsObject(obj))
        {
            return null;
        }

        if (obj.TryGetProperty(camel, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            return value;
        }

        return obj.TryGetProperty(Snake(camel), out value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    internal static IEnumerable<JsonElement> Items(JsonElement obj, string camel) =>
        Field(obj, camel) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    internal static string? StringField(JsonElement obj, string camel) =>
        Field(obj, camel) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;

    private static string Snake(string camel)
    {
        var sb = new StringBuilder(camel.Length + 4);
        foreach (var c in camel)
        {
            if (char.IsUpper(c))
            {
                sb.Append('_').Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static Proto BuildSchema()
    {
        var blob = Message(["mimeType", "data"]);
        var fileData = Message(["mimeType", "fileUri"]);
        var functionCall = Message(["id", "name", "args"]);
        var functionResponse = Message(["id", "name", "response", "parts", "willContinue", "scheduling"]);
        var part = Message(
            ["text", "executableCode", "codeExecutionResult", "thought", "thoughtSignature", "videoMetadata", "partMetadata", "mediaResolution"],
            new() { ["inlineData"] = (blob, false), ["fileData"] = (fileData, false), ["functionCall"] = (functionCall, false), ["functionResponse"] = (functionResponse, false) },
            hasDataOneof: true);
        var content = Message(["role"], new() { ["parts"] = (part, true) });
        var declaration = Message(["name", "description", "behavior", "parameters", "parametersJsonSchema", "response", "responseJsonSchema"]);
        var tool = Message(
            ["googleSearchRetrieval", "codeExecution", "googleSearch", "urlContext", "computerUse", "fileSearch", "googleMaps"],
            new() { ["functionDeclarations"] = (declaration, true) });
        var callingConfig = Message(["mode", "allowedFunctionNames"]);
        var toolConfig = Message(["retrievalConfig"], new() { ["functionCallingConfig"] = (callingConfig, false) });
        var safety = Message(["category", "threshold"]);
        var thinking = Message(["includeThoughts", "thinkingBudget", "thinkingLevel"]);
        var generation = Message(
            ["stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "responseModalities", "candidateCount", "maxOutputTokens",
             "temperature", "topP", "topK", "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs", "enableEnhancedCivicAnswers",
             "speechConfig", "imageConfig", "mediaResolution"],
            new() { ["thinkingConfig"] = (thinking, false) });
        return Message(
            ["model", "cachedContent"],
            new()
            {
                ["contents"] = (content, true),
                ["tools"] = (tool, true),
                ["toolConfig"] = (toolConfig, false),
                ["safetySettings"] = (safety, true),
                ["systemInstruction"] = (content, false),
                ["generationConfig"] = (generation, false),
            });
    }

    private static Proto Message(string[] scalars, Dictionary<string, (Proto Message, bool Repeated)>? messages = null, bool hasDataOneof = false)
    {
        var fields = new Dictionary<string, ProtoField>(StringComparer.Ordinal);
        void Add(string camel, Proto? message, bool repeated)
        {
            var field = new ProtoField(Snake(camel), message, repeated, s_dataFields.Contains(camel));
            fields[camel] = field;
            fields[field.Snake] = field;
        }

        foreach (var name in scalars)
        {
            Add(name, null, false);
        }

        foreach (var (name, (message, repeated)) in messages ?? [])
        {
            Add(name, message, repeated);
        }

        return new Proto(fields.ToFrozenDictionary(StringComparer.Ordinal), hasDataOneof);
    }

    private sealed record Proto(FrozenDictionary<string, ProtoField> Fields, bool HasDataOneof);

    private sealed record ProtoField(string Snake, Proto? Message, bool Repeated, bool IsData);
}
