using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using ControlPlane.Simulator.Providers.Reasoning;

namespace ControlPlane.Simulator.Providers.Validation;

/// Validates a Chat Completions body the way OpenAI does: unknown top-level arguments, message roles and content
/// shapes, tool call / tool message pairing, ranges. Reports the first problem with OpenAI's message, param and
/// code. Local OpenAI-compatible servers (Ollama, vLLM) ignore unknown fields, so that check can be switched off.
internal sealed partial class OpenAiRequestValidator : IRequestValidator
{
    public static OpenAiRequestValidator OpenAi { get; } = new(rejectUnknownFields: true);

    public static OpenAiRequestValidator Compatible { get; } = new(rejectUnknownFields: false);

    private static readonly FrozenSet<string> s_topLevel = FrozenSet.ToFrozenSet(
    [
        "model", "messages", "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
        "max_completion_tokens", "max_tokens", "metadata", "modalities", "n", "parallel_tool_calls", "prediction",
        "presence_penalty", "prompt_cache_key", "prompt_cache_retention", "reasoning_effort", "response_format",
        "safety_identifier", "seed", "service_tier", "stop", "store", "stream", "stream_options", "temperature",
        "tool_choice", "tools", "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
    ]);

    private static readonly string[] s_roles = ["system", "assistant", "user", "function", "tool", "developer"];
    private static readonly string[] s_userParts = ["text", "image_url", "input_audio", "file"];
    private static readonly string[] s_assistantParts = ["text", "refusal"];
    private static readonly string[] s_textParts = ["text"];

    private readonly bool _rejectUnknownFields;

    private OpenAiRequestValidator(bool rejectUnknownFields) => _rejectUnknownFields = rejectUnknownFields;

    public RequestProblem? Validate(JsonElement body, ValidationContext context)
    {
        if (!Json.IsObject(body))
        {
            return new RequestProblem("Invalid type for request body: expected an object.", null, "invalid_type");
        }

        if (_rejectUnknownFields)
        {
            foreach (var property in body.EnumerateObject())
            {
                if (!s_topLevel.Contains(property.Name))
                {
                    return new RequestProblem($"Unrecognized request argument supplied: {property.Name}");
                }
            }
        }

        if (!Json.Has(body, "messages", out var messages))
        {
            return Missing("messages");
        }

        if (messages.ValueKind != JsonValueKind.Array)
        {
            return InvalidType("messages", "an array", messages);
        }

        if (messages.GetArrayLength() == 0)
        {
            return new RequestProblem("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array");
        }

        if (Json.Has(body, "max_tokens", out _) && Json.Has(body, "max_completion_tokens", out _))
        {
            return new RequestProblem("Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported.", "max_tokens", "invalid_parameter_combination");
        }

        return ReasoningRules.CheckOpenAi(body, _rejectUnknownFields)
            ?? Range(body, "temperature", 0, 2)
            ?? Range(body, "top_p", 0, 1)
            ?? CheckStop(body)
            ?? CheckTools(body)
            ?? CheckMessages(messages)
            ?? CheckToolPairing(messages);
    }

    private static RequestProblem? CheckMessages(JsonElement messages)
    {
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages[{i}]";
            if (!Json.IsObject(message))
            {
                return InvalidType(path, "an object", message);
            }

            if (!Json.Has(message, "role", out var roleValue))
            {
                return Missing($"{path}.role");
            }

            var role = roleValue.ValueKind == JsonValueKind.String ? roleValue.GetString()! : roleValue.GetRawText();
            if (!s_roles.Contains(role))
            {
                return InvalidValue($"{path}.role", role, s_roles);
            }

            var hasCalls = Json.Has(message, "tool_calls", out var toolCalls);
            var problem = role switch
            {
                "user" => CheckContent(message, path, s_userParts, required: true),
                "assistant" => CheckContent(message, path, s_assistantParts, required: !hasCalls && !Json.Has(message, "function_call", out _))
                    ?? (hasCalls ? CheckToolCalls(toolCalls, $"{path}.tool_calls") : null),
                "tool" => CheckContent(message, path, s_textParts, required: true)
                    ?? (Json.String(message, "tool_call_id") is null ? Missing($"{path}.tool_call_id") : null),
                "function" => CheckContent(message, path, s_textParts, required: true)
                    ?? (Json.String(message, "name") is null ? Missing($"{path}.name") : null),
                _ => CheckContent(message, path, s_textParts, required: true),
            };
            if (problem is not null)
            {
                return problem;
            }

            i++;
        }

        return null;
    }

    private static RequestProblem? CheckContent(JsonElement message, string path, string[] partTypes, bool required)
    {
        if (!Json.Has(message, "content", out var content))
        {
            return required ? Missing($"{path}.content") : null;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return null;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return InvalidType($"{path}.content", "one of a string or array of objects", content);
        }

        var k = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partPath = $"{path}.content[{k}]";
            if (!Json.IsObject(part))
            {
                return InvalidType(partPath, "an object", part);
            }

            if (Json.String(part, "type") is not { } type)
            {
                return Missing($"{partPath}.type");
            }

            if (!partTypes.Contains(type))
            {
                return InvalidValue($"{partPath}.type", type, partTypes);
            }

            var problem = type switch
            {
                "text" => Json.String(part, "text") is null ? Missing($"{partPath}.text") : null,
                "refusal" => Json.String(part, "refusal") is null ? Missing($"{partPath}.refusal") : null,
                "image_url" => Json.Has(part, "image_url", out var image) && Json.String(image, "url") is not null ? null : Missing($"{partPath}.image_url.url"),
                "input_audio" => !Json.Has(part, "input_audio", out var audio) ? Missing($"{partPath}.input_audio")
                    : Json.String(audio, "data") is null ? Missing($"{partPath}.input_audio.data")
                    : Json.String(audio, "format") is null ? Missing($"{partPath}.input_audio.format") : null,
                _ => Json.Has(part, "file", out var file) && Json.IsObject(file) ? null : Missing($"{partPath}.file"),
            };
            if (problem is not null)
            {
                return problem;
            }

            k++;
        }

        return null;
    }

    private static RequestProblem? CheckToolCalls(JsonElement toolCalls, string path)
    {
        if (toolCalls.ValueKind != JsonValueKind.Array)
        {
            return InvalidType(path, "an array", toolCalls);
        }

        var k = 0;
        foreach (var call in toolCalls.EnumerateArray())
        {
            var callPath = $"{path}[{k}]";
            if (!Json.IsObject(call))
            {
                return InvalidType(callPath, "an object", call);
            }

            if (Json.String(call, "id") is null)
            {
                return Missing($"{callPath}.id");
            }

            if (Json.String(call, "type") is not { } type)
            {
                return Missing($"{callPath}.type");
            }

            if (type != "function")
            {
                return InvalidValue($"{callPath}.type", type, ["function"]);
            }

            if (!Json.Has(call, "function", out var function) || !Json.IsObject(function))
            {
                return Missing($"{callPath}.function");
            }

            if (Json.String(function, "name") is null)
            {
                return Missing($"{callPath}.function.name");
            }

            if (Json.String(function, "arguments") is null)
            {
                return Missing($"{callPath}.function.arguments");
            }

            k++;
        }

        return null;
    }

    private static RequestProblem? CheckTools(JsonElement body)
    {
        if (!Json.Has(body, "tools", out var tools))
        {
            return null;
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            return InvalidType("tools", "an array", tools);
        }

        var k = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var path = $"tools[{k}]";
            if (!Json.IsObject(tool))
            {
                return InvalidType(path, "an object", tool);
            }

            if (Json.String(tool, "type") is not { } type)
            {
                return Missing($"{path}.type");
            }

            if (type is not ("function" or "custom"))
            {
                return InvalidValue($"{path}.type", type, ["function", "custom"]);
            }

            if (!Json.Has(tool, type, out var definition) || !Json.IsObject(definition))
            {
                return Missing($"{path}.{type}");
            }

            if (Json.String(definition, "name") is not { } name)
            {
                return Missing($"{path}.{type}.name");
            }

            if (!FunctionName().IsMatch(name))
            {
                return new RequestProblem(
                    $"Invalid '{path}.{type}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                    $"{path}.{type}.name",
                    "invalid_value");
            }

            k++;
        }

        return null;
    }

    private static RequestProblem? CheckStop(JsonElement body)
    {
        if (!Json.Has(body, "stop", out var stop) || stop.ValueKind == JsonValueKind.String)
        {
            return null;
        }

        if (stop.ValueKind != JsonValueKind.Array)
        {
            return InvalidType("stop", "one of a string or array of strings", stop);
        }

        var length = stop.GetArrayLength();
        return length > 4
            ? new RequestProblem($"Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length {length} instead.", "stop", "array_above_max_length")
            : null;
    }

    /// A tool message must answer a tool_calls entry of the assistant message its run of tool messages follows, and
    /// every such entry must be answered before the next non-tool message.
    private static RequestProblem? CheckToolPairing(JsonElement messages)
    {
        HashSet<string>? open = null;
        List<string> outstanding = [];
        var assistantIndex = -1;
        var i = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var role = Json.String(message, "role");
            if (role == "tool")
            {
                var id = Json.String(message, "tool_call_id");
                if (open is null || id is null || !open.Contains(id))
                {
                    return new RequestProblem(
                        "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", $"messages.[{i}].role");
                }

                outstanding.Remove(id);
            }
            else
            {
                if (outstanding.Count > 0)
                {
                    return Unanswered(assistantIndex, outstanding);
                }

                var ids = Json.Items(message, "tool_calls").Select(c => Json.String(c, "id")).OfType<string>().ToList();
                open = role == "assistant" && ids.Count > 0 ? [.. ids] : null;
                outstanding = role == "assistant" ? ids : [];
                assistantIndex = i;
            }

            i++;
        }

        return outstanding.Count > 0 ? Unanswered(assistantIndex, outstanding) : null;

        static RequestProblem Unanswered(int index, List<string> ids) => new(
            $"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: {string.Join(", ", ids)}",
            $"messages.[{index}].role");
    }

    private static RequestProblem? Range(JsonElement body, string name, double minimum, double maximum)
    {
        if (!Json.Has(body, name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return InvalidType(name, "a decimal", value);
        }

        var number = value.GetDouble();
        if (number > maximum)
        {
            return new RequestProblem($"Invalid '{name}': decimal above maximum value. Expected a value <= {maximum.ToString(CultureInfo.InvariantCulture)}, but got {value.GetRawText()} instead.", name, "decimal_above_max_value");
        }

        return number < minimum
            ? new RequestProblem($"Invalid '{name}': decimal below minimum value. Expected a value >= {minimum.ToString(CultureInfo.InvariantCulture)}, but got {value.GetRawText()} instead.", name, "decimal_below_min_value")
            : null;
    }

    private static RequestProblem Missing(string param) => new($"Missing required parameter: '{param}'.", param, "missing_required_parameter");

    private static RequestProblem InvalidValue(string param, string value, IReadOnlyList<string> supported) =>
        new($"Invalid value: '{value}'. Supported values are: {Json.OxfordList(supported)}.", param, "invalid_value");

    private static RequestProblem InvalidType(string param, string expected, JsonElement actual)
    {
        var got = actual.ValueKind switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.Array => "an array",
            JsonValueKind.Object => "an object",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
        return new($"Invalid type for '{param}': expected {expected}, but got {got} instead.", param, "invalid_type");
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();
}
