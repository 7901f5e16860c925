using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ControlPlane.Simulator.Providers.Validation;

/// Validates a Messages API body (POST /v1/messages and /v1/messages/count_tokens) the way Anthropic's pydantic
/// models do: unknown fields are "Extra inputs are not permitted", paths are dotted with the union tag in them
/// ("messages.1.content.0.tool_use.id"), and only the first problem is reported, as Anthropic does.
/// Accepts every field current Claude Code sends (thinking, context_management, output_config, cache_control, …).
internal sealed partial class AnthropicRequestValidator : IRequestValidator
{
    public static AnthropicRequestValidator Instance { get; } = new();

    private const string ThinkingDocs = "Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size";

    private static readonly FrozenSet<string> s_topLevel = FrozenSet.ToFrozenSet(
    [
        "model", "messages", "max_tokens", "system", "metadata", "stop_sequences", "stream", "temperature", "top_p", "top_k",
        "tools", "tool_choice", "thinking", "container", "context_management", "mcp_servers", "output_config", "output_format",
        "service_tier", "inference_geo", "cache_control", "speed",
    ]);

    /// Content block types with their required fields and, for the blocks clients build themselves, every allowed field.
    private static readonly FrozenDictionary<string, BlockSpec> s_blocks = new Dictionary<string, BlockSpec>
    {
        ["text"] = new(["text"], ["type", "text", "cache_control", "citations"]),
        ["image"] = new(["source"], ["type", "source", "cache_control"]),
        ["document"] = new(["source"], ["type", "source", "cache_control", "citations", "context", "title"]),
        ["search_result"] = new(["source", "title", "content"], null),
        ["thinking"] = new(["thinking", "signature"], ["type", "thinking", "signature"]),
        ["redacted_thinking"] = new(["data"], ["type", "data"]),
        ["tool_use"] = new(["id", "name", "input"], ["type", "id", "name", "input", "cache_control", "caller"]),
        ["tool_result"] = new(["tool_use_id"], ["type", "tool_use_id", "content", "is_error", "cache_control"]),
        ["server_tool_use"] = new(["id", "name", "input"], null),
        ["web_search_tool_result"] = new(["tool_use_id", "content"], null),
        ["web_fetch_tool_result"] = new(["tool_use_id", "content"], null),
        ["code_execution_tool_result"] = new(["tool_use_id", "content"], null),
        ["bash_code_execution_tool_result"] = new(["tool_use_id", "content"], null),
        ["text_editor_code_execution_tool_result"] = new(["tool_use_id", "content"], null),
        ["tool_search_tool_result"] = new(["tool_use_id", "content"], null),
        ["mcp_tool_use"] = new(["id", "name", "server_name", "input"], null),
        ["mcp_tool_result"] = new(["tool_use_id"], null),
        ["container_upload"] = new(["file_id"], null),
        ["compaction"] = new([], null),
    }.ToFrozenDictionary();

    private static readonly string s_blockTags = string.Join(", ", s_blocks.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"));

    private static readonly string[] s_toolResultContentTypes = ["text", "image", "document", "search_result"];

    private static readonly FrozenSet<string> s_customToolFields = FrozenSet.ToFrozenSet(
        ["type", "name", "description", "input_schema", "cache_control", "defer_loading", "input_examples", "strict", "eager_input_streaming", "allowed_callers"]);

    public RequestProblem? Validate(JsonElement body, ValidationContext context) =>
        Check(body, context) is { } message ? new RequestProblem(message) : null;

    private static string? Check(JsonElement body, ValidationContext context)
    {
        if (!Json.IsObject(body))
        {
            return "Input should be a valid dictionary or object to extract fields from";
        }

        foreach (var property in body.EnumerateObject())
        {
            if (!s_topLevel.Contains(property.Name))
            {
                return $"{property.Name}: Extra inputs are not permitted";
            }
        }

        if (!Json.Has(body, "model", out var model))
        {
            return "model: Field required";
        }

        if (!Json.IsString(model))
        {
            return "model: Input should be a valid string";
        }

        var hasMaxTokens = Json.Has(body, "max_tokens", out var maxTokens);
        if (!hasMaxTokens && !context.CountTokens)
        {
            return "max_tokens: Field required";
        }

        if (hasMaxTokens && IntegerProblem("max_tokens", maxTokens, minimum: 1) is { } maxTokensProblem)
        {
            return maxTokensProblem;
        }

        if (!Json.Has(body, "messages", out var messages))
        {
            return "messages: Field required";
        }

        if (messages.ValueKind != JsonValueKind.Array)
        {
            return "messages: Input should be a valid list";
        }

        if (messages.GetArrayLength() == 0)
        {
            return "messages: at least one message is required";
        }

        var count = messages.GetArrayLength();
        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (CheckMessage(message, index, isLast: index == count - 1) is { } problem)
            {
                return problem;
            }

            index++;
        }

        return CheckSystem(body)
            ?? CheckTools(body)
            ?? CheckToolChoice(body)
            ?? RangeProblem(body, "temperature", 0, 1)
            ?? RangeProblem(body, "top_p", 0, 1)
            ?? (Json.Has(body, "top_k", out var topK) ? IntegerProblem("top_k", topK, minimum: 0) : null)
            ?? CheckStopSequences(body)
            ?? CheckMetadata(body)
            ?? CheckServiceTier(body)
            ?? CheckThinking(body, hasMaxTokens ? maxTokens.GetInt64() : null, context)
            ?? CheckToolPairing(messages);
    }

    private static string? CheckMessage(JsonElement message, int i, bool isLast)
    {
        if (!Json.IsObject(message))
        {
            return $"messages.{i}: Input should be a valid dictionary or object to extract fields from";
        }

        foreach (var property in message.EnumerateObject())
        {
            if (property.Name is not ("role" or "content"))
            {
                return $"messages.{i}.{property.Name}: Extra inputs are not permitted";
            }
        }

        if (!Json.Has(message, "role", out var role))
        {
            return $"messages.{i}.role: Field required";
        }

        // "system" turns inside the conversation are what Claude Code sends with its per-turn-control beta.
        if (role.ValueKind != JsonValueKind.String || role.GetString() is not ("user" or "assistant" or "system"))
        {
            return $"messages.{i}.role: Input should be 'user', 'assistant' or 'system'";
        }

        if (!Json.Has(message, "content", out var content))
        {
            return $"messages.{i}.content: Field required";
        }

        var emptyAllowed = isLast && role.GetString() == "assistant";
        const string emptyContent = "all messages must have non-empty content except for the optional final assistant message";
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!.Length == 0 && !emptyAllowed ? $"messages.{i}: {emptyContent}" : null;
            case JsonValueKind.Array:
                if (content.GetArrayLength() == 0 && !emptyAllowed)
                {
                    return $"messages.{i}: {emptyContent}";
                }

                var j = 0;
                foreach (var block in content.EnumerateArray())
                {
                    if (CheckBlock(block, $"messages.{i}.content.{j}", null) is { } problem)
                    {
                        return problem;
                    }

                    j++;
                }

                return null;
            default:
                return $"messages.{i}.content: Input should be a valid list";
        }
    }

    private static string? CheckBlock(JsonElement block, string path, IReadOnlyCollection<string>? allowedTypes)
    {
        if (!Json.IsObject(block))
        {
            return $"{path}: Input should be a valid dictionary or object to extract fields from";
        }

        if (Json.String(block, "type") is not { } type)
        {
            return $"{path}: Unable to extract tag using discriminator 'type'";
        }

        if (!s_blocks.TryGetValue(type, out var spec) || (allowedTypes is not null && !allowedTypes.Contains(type)))
        {
            var tags = allowedTypes is null ? s_blockTags : string.Join(", ", allowedTypes.Select(t => $"'{t}'"));
            return $"{path}: Input tag '{type}' found using 'type' does not match any of the expected tags: {tags}";
        }

        foreach (var field in spec.Required)
        {
            if (!Json.Has(block, field, out _))
            {
                return $"{path}.{type}.{field}: Field required";
            }
        }

        if (spec.Allowed is { } allowed)
        {
            foreach (var property in block.EnumerateObject())
            {
                if (!allowed.Contains(property.Name))
                {
                    return $"{path}.{type}.{property.Name}: Extra inputs are not permitted";
                }
            }
        }

        switch (type)
        {
            case "text":
                var text = block.GetProperty("text");
                if (!Json.IsString(text))
                {
                    return $"{path}.text.text: Input should be a valid string";
                }

                return text.GetString()!.Length == 0 ? $"{path}.text: text content blocks must be non-empty" : null;

            case "image" or "document" when !Json.IsObject(block.GetProperty("source")):
                return $"{path}.{type}.source: Input should be a valid dictionary or object to extract fields from";

            case "tool_use":
                if (!Json.IsString(block.GetProperty("id")) || !Json.IsString(block.GetProperty("name")))
                {
                    return $"{path}.tool_use.{(Json.IsString(block.GetProperty("id")) ? "name" : "id")}: Input should be a valid string";
                }

                return Json.IsObject(block.GetProperty("input")) ? null : $"{path}.tool_use.input: Input should be a valid dictionary";

            case "tool_result":
                if (!Json.IsString(block.GetProperty("tool_use_id")))
                {
                    return $"{path}.tool_result.tool_use_id: Input should be a valid string";
                }

                if (!Json.Has(block, "content", out var content) || content.ValueKind == JsonValueKind.String)
                {
                    return null;
                }

                if (content.ValueKind != JsonValueKind.Array)
                {
                    return $"{path}.tool_result.content: Input should be a valid list";
                }

                var k = 0;
                foreach (var inner in content.EnumerateArray())
                {
                    if (CheckBlock(inner, $"{path}.tool_result.content.{k}", s_toolResultContentTypes) is { } problem)
                    {
                        return problem;
                    }

                    k++;
                }

                return null;

            default:
                return null;
        }
    }

    private static string? CheckSystem(JsonElement body)
    {
        if (!Json.Has(body, "system", out var system) || system.ValueKind == JsonValueKind.String)
        {
            return null;
        }

        if (system.ValueKind != JsonValueKind.Array)
        {
            return "system: Input should be a valid list";
        }

        var k = 0;
        foreach (var block in system.EnumerateArray())
        {
            if (!Json.IsObject(block) || Json.String(block, "type") != "text")
            {
                return $"system.{k}.type: Input should be 'text'";
            }

            if (CheckBlock(block, $"system.{k}", ["text"]) is { } problem)
            {
                // The system prompt is a list of text blocks only, so pydantic names the field without the union tag.
                return problem.Replace($"system.{k}.text.", $"system.{k}.", StringComparison.Ordinal);
            }

            k++;
        }

        return null;
    }

    private static string? CheckTools(JsonElement body)
    {
        if (!Json.Has(body, "tools", out var tools))
        {
            return null;
        }

        if (tools.ValueKind != JsonValueKind.Array)
        {
            return "tools: Input should be a valid list";
        }

        var k = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            if (!Json.IsObject(tool))
            {
                return $"tools.{k}: Input should be a valid dictionary or object to extract fields from";
            }

            var type = Json.String(tool, "type");
            if (type is null or "custom")
            {
                var path = $"tools.{k}.custom";
                foreach (var property in tool.EnumerateObject())
                {
                    if (!s_customToolFields.Contains(property.Name))
                    {
                        return $"{path}.{property.Name}: Extra inputs are not permitted";
                    }
                }

                if (Json.String(tool, "name") is not { } name)
                {
                    return Json.Has(tool, "name", out _) ? $"{path}.name: Input should be a valid string" : $"{path}.name: Field required";
                }

                if (!ToolName().IsMatch(name))
                {
                    return $"{path}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'";
                }

                if (!Json.Has(tool, "input_schema", out var schema))
                {
                    return $"{path}.input_schema: Field required";
                }

                if (!Json.IsObject(schema))
                {
                    return $"{path}.input_schema: Input should be a valid dictionary or object to extract fields from";
                }

                if (Json.String(schema, "type") != "object")
                {
                    return $"{path}.input_schema.type: Input should be 'object'";
                }
            }
            else if (ServerToolType().IsMatch(type) || type == "mcp_toolset")
            {
                // Anthropic-defined tools (bash_20250124, web_search_20250305, …) change too often to list field by field.
                if (type != "mcp_toolset" && Json.String(tool, "name") is null)
                {
                    return $"tools.{k}.{type}.name: Field required";
                }
            }
            else
            {
                return $"tools.{k}: Input tag '{type}' found using 'type' does not match any of the expected tags: 'custom', 'bash_20250124', 'code_execution_20250825', 'computer_20250124', 'text_editor_20250728', 'web_fetch_20250910', 'web_search_20250305', 'mcp_toolset'";
            }

            k++;
        }

        return null;
    }

    private static string? CheckToolChoice(JsonElement body)
    {
        if (!Json.Has(body, "tool_choice", out var choice))
        {
            return null;
        }

        if (!Json.IsObject(choice))
        {
            return "tool_choice: Input should be a valid dictionary or object to extract fields from";
        }

        var type = Json.String(choice, "type");
        if (type is not ("auto" or "any" or "tool" or "none"))
        {
            return type is null
                ? "tool_choice: Unable to extract tag using discriminator 'type'"
                : $"tool_choice: Input tag '{type}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'";
        }

        foreach (var property in choice.EnumerateObject())
        {
            var allowed = property.Name is "type" || (property.Name == "disable_parallel_tool_use" && type != "none") || (property.Name == "name" && type == "tool");
            if (!allowed)
            {
                return $"tool_choice.{type}.{property.Name}: Extra inputs are not permitted";
            }
        }

        return type == "tool" && Json.String(choice, "name") is null ? "tool_choice.tool.name: Field required" : null;
    }

    private static string? CheckStopSequences(JsonElement body)
    {
        if (!Json.Has(body, "stop_sequences", out var stops))
        {
            return null;
        }

        if (stops.ValueKind != JsonValueKind.Array)
        {
            return "stop_sequences: Input should be a valid list";
        }

        var k = 0;
        foreach (var stop in stops.EnumerateArray())
        {
            if (!Json.IsString(stop))
            {
                return $"stop_sequences.{k}: Input should be a valid string";
            }

            k++;
        }

        return null;
    }

    private static string? CheckMetadata(JsonElement body)
    {
        if (!Json.Has(body, "metadata", out var metadata))
        {
            return null;
        }

        if (!Json.IsObject(metadata))
        {
            return "metadata: Input should be a valid dictionary or object to extract fields from";
        }

        foreach (var property in metadata.EnumerateObject())
        {
            if (property.Name != "user_id")
            {
                return $"metadata.{property.Name}: Extra inputs are not permitted";
            }
        }

        return null;
    }

    private static string? CheckServiceTier(JsonElement body) =>
        Json.Has(body, "service_tier", out var tier) && !(Json.IsString(tier) && tier.GetString() is "auto" or "standard_only")
            ? "service_tier: Input should be 'auto' or 'standard_only'"
            : null;

    private static string? CheckThinking(JsonElement body, long? maxTokens, ValidationContext context)
    {
        if (!Json.Has(body, "thinking", out var thinking))
        {
            return null;
        }

        if (!Json.IsObject(thinking))
        {
            return "thinking: Input should be a valid dictionary or object to extract fields from";
        }

        var type = Json.String(thinking, "type");
        if (type is not ("enabled" or "disabled" or "adaptive"))
        {
            return type is null
                ? "thinking: Unable to extract tag using discriminator 'type'"
                : $"thinking: Input tag '{type}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'";
        }

        if (type == "disabled")
        {
            return null;
        }

        if (type == "enabled")
        {
            if (!Json.Has(thinking, "budget_tokens", out var budget))
            {
                return "thinking.enabled.budget_tokens: Field required";
            }

            if (IntegerProblem("thinking.enabled.budget_tokens", budget, minimum: 1024) is { } budgetProblem)
            {
                return budgetProblem;
            }

            // Interleaved thinking spreads the budget over a whole tool-using turn, so it may exceed max_tokens.
            var interleaved = context.Betas.Any(b => b.StartsWith("interleaved-thinking", StringComparison.Ordinal));
            if (maxTokens is { } max && budget.GetInt64() >= max && !interleaved)
            {
                return $"`max_tokens` must be greater than `thinking.budget_tokens`. {ThinkingDocs}";
            }
        }

        if (Json.Has(body, "temperature", out var temperature) && temperature.ValueKind == JsonValueKind.Number && temperature.GetDouble() != 1)
        {
            return "`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. " + ThinkingDocs;
        }

        return Json.Has(body, "top_k", out _) ? "`top_k` is not supported when thinking is enabled or in adaptive mode. " + ThinkingDocs : null;
    }

    /// Every tool_use of an assistant turn needs its tool_result in the very next (user) turn, and every tool_result
    /// must answer a tool_use of the turn right before it.
    private static string? CheckToolPairing(JsonElement messages)
    {
        // System turns sit between the others without breaking a tool_use / tool_result pair.
        var list = messages.EnumerateArray().Where(m => Json.String(m, "role") != "system").ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var role = Json.String(list[i], "role");
            if (role == "user")
            {
                var offered = i > 0 && Json.String(list[i - 1], "role") == "assistant" ? BlockIds(list[i - 1], "tool_use", "id") : [];
                var j = 0;
                foreach (var block in Blocks(list[i]))
                {
                    if (Json.String(block, "type") == "tool_result" && Json.String(block, "tool_use_id") is { } id && !offered.Contains(id))
                    {
                        return $"messages.{i}.content.{j}: unexpected `tool_use_id` found in `tool_result` blocks: {id}. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.";
                    }

                    j++;
                }
            }
            else
            {
                var calls = BlockIds(list[i], "tool_use", "id");
                var answered = i + 1 < list.Count && Json.String(list[i + 1], "role") == "user" ? BlockIds(list[i + 1], "tool_result", "tool_use_id") : [];
                var missing = calls.Where(c => !answered.Contains(c)).ToList();
                if (missing.Count > 0)
                {
                    return $"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: {string.Join(", ", missing)}. Each `tool_use` block must have a corresponding `tool_result` block in the next message.";
                }
            }
        }

        return null;
    }

    private static IEnumerable<JsonElement> Blocks(JsonElement message) => Json.Items(message, "content").Where(Json.IsObject);

    private static List<string> BlockIds(JsonElement message, string type, string idField) =>
        Blocks(message).Where(b => Json.String(b, "type") == type).Select(b => Json.String(b, idField)).OfType<string>().ToList();

    private static string? IntegerProblem(string path, JsonElement value, long minimum)
    {
        if (!Json.IsInteger(value))
        {
            return $"{path}: Input should be a valid integer";
        }

        return value.GetInt64() < minimum ? $"{path}: Input should be greater than or equal to {minimum}" : null;
    }

    private static string? RangeProblem(JsonElement body, string name, double minimum, double maximum)
    {
        if (!Json.Has(body, name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return $"{name}: Input should be a valid number";
        }

        var number = value.GetDouble();
        if (number < minimum)
        {
            return $"{name}: Input should be greater than or equal to {minimum.ToString(CultureInfo.InvariantCulture)}";
        }

        return number > maximum ? $"{name}: Input should be less than or equal to {maximum.ToString(CultureInfo.InvariantCulture)}" : null;
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,128}$")]
    private static partial Regex ToolName();

    [GeneratedRegex("^[a-z_]+_[0-9]{8}$")]
    private static partial Regex ServerToolType();

    private sealed record BlockSpec(string[] Required, string[]? Allowed);
}
