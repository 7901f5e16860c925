using System.Globalization;
using System.Text.Json;
using ControlPlane.Simulator.Providers.Validation;

namespace ControlPlane.Simulator.Providers.Reasoning;

/// What the real APIs reject about reasoning settings, in their own words: the request shapes that work for a chat
/// model and fail for a reasoning model (and the reverse), which is what trips health checks written for one family.
internal static class ReasoningRules
{
    /// Chat Completions. unknownFieldsRejected: the body goes to OpenAI itself, which refuses reasoning_effort for a
    /// model that does not reason (a local server ignores it). A reasoning model's rules hold on any surface: a server
    /// offering o4-mini is a proxy in front of OpenAI and passes its errors on.
    public static RequestProblem? CheckOpenAi(JsonElement body, bool unknownFieldsRejected)
    {
        var family = ReasoningModels.OpenAi(Json.String(body, "model"));
        var hasEffort = Json.Has(body, "reasoning_effort", out var effort);
        if (family == OpenAiReasoning.None)
        {
            return hasEffort && unknownFieldsRejected ? new RequestProblem("Unrecognized request argument supplied: reasoning_effort") : null;
        }

        if (Json.Has(body, "max_tokens", out _))
        {
            return new RequestProblem(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                "max_tokens",
                "unsupported_parameter");
        }

        if (Json.Has(body, "temperature", out var temperature) && temperature.ValueKind == JsonValueKind.Number && temperature.GetDouble() != 1)
        {
            return new RequestProblem(
                $"Unsupported value: 'temperature' does not support {temperature.GetRawText()} with this model. Only the default (1) value is supported.",
                "temperature",
                "unsupported_value");
        }

        if (!hasEffort)
        {
            return null;
        }

        if (family == OpenAiReasoning.O1Preview)
        {
            return new RequestProblem("Unsupported parameter: 'reasoning_effort' is not supported with this model.", "reasoning_effort", "unsupported_parameter");
        }

        var value = effort.ValueKind == JsonValueKind.String ? effort.GetString()! : effort.GetRawText();
        var supported = ReasoningModels.Efforts(family);
        return supported.Contains(value)
            ? null
            : new RequestProblem(
                $"Unsupported value: 'reasoning_effort' does not support '{value}' with this model. Supported values are: {Json.OxfordList(supported)}.",
                "reasoning_effort",
                "unsupported_value");
    }

    /// generateContent / streamGenerateContent for the model named in the path.
    public static RequestProblem? CheckGemini(JsonElement body, string? model)
    {
        if (ReasoningModels.ThinkingConfig(body) is not { } config)
        {
            return null;
        }

        var family = ReasoningModels.Gemini(model);
        if (family == GeminiThinking.NotSupported)
        {
            return new RequestProblem($"Thinking is not enabled for models/{model}");
        }

        var level = Property(config, "thinkingLevel", "thinking_level");
        if (level is not null && family != GeminiThinking.Level && family != GeminiThinking.Unknown)
        {
            return new RequestProblem("Thinking level is not supported for this model.");
        }

        if (Property(config, "thinkingBudget", "thinking_budget") is not { } budgetValue || !budgetValue.TryGetInt32(out var budget) || budget == -1)
        {
            return null;
        }

        var (minimum, maximum, off) = family switch
        {
            GeminiThinking.Pro => (128, 32_768, false),
            GeminiThinking.Flash => (1, 24_576, true),
            GeminiThinking.FlashLite => (512, 24_576, true),
            _ => (0, int.MaxValue, true),
        };
        if (budget == 0 && !off)
        {
            return new RequestProblem("Budget 0 is invalid. This model only works in thinking mode.");
        }

        return budget != 0 && (budget < minimum || budget > maximum)
            ? new RequestProblem(string.Create(CultureInfo.InvariantCulture,
                $"The thinking budget ({budget}) is invalid. Please choose a value between {minimum} and {maximum}."))
            : null;
    }

    private static JsonElement? Property(JsonElement obj, string camel, string snake) =>
        Json.Has(obj, camel, out var value) || Json.Has(obj, snake, out value) ? value : null;
}
