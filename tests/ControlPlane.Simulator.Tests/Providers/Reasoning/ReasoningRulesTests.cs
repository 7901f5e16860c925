using System.Text.Json;
using ControlPlane.Simulator.Providers.Validation;

namespace ControlPlane.Simulator.Tests.Providers.Reasoning;

/// The rejections real APIs give reasoning models (and chat models given reasoning settings), word for word.
public sealed class ReasoningRulesTests
{
    private static RequestProblem? OpenAi(string model, string extra, OpenAiRequestValidator? validator = null)
    {
        using var doc = JsonDocument.Parse($$"""{"model":"{{model}}","messages":[{"role":"user","content":"ping"}]{{extra}}}""");
        return (validator ?? OpenAiRequestValidator.OpenAi).Validate(doc.RootElement, ValidationContext.Default);
    }

    private static RequestProblem? Gemini(string model, string thinkingConfig)
    {
        using var doc = JsonDocument.Parse($$$"""{"contents":[{"role":"user","parts":[{"text":"ping"}]}],"generationConfig":{"maxOutputTokens":16,"thinkingConfig":{{{thinkingConfig}}}}}""");
        return GeminiRequestValidator.Instance.Validate(doc.RootElement, ValidationContext.Default with { Model = model });
    }

    [Theory]
    [InlineData("o4-mini")]
    [InlineData("o3")]
    [InlineData("gpt-5-mini")]
    [InlineData("gpt-5.1")]
    public void OpenAi_ReasoningModelWithMaxTokens_UnsupportedParameter(string model) =>
        Assert.Equal(
            new RequestProblem(
                "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
                "max_tokens",
                "unsupported_parameter"),
            OpenAi(model, ",\"max_tokens\":1"));

    [Fact]
    public void OpenAi_ReasoningModelBehindCompatibleServer_StillRejectsMaxTokens() =>
        Assert.Equal("unsupported_parameter", OpenAi("o4-mini", ",\"max_tokens\":1", OpenAiRequestValidator.Compatible)?.Code);

    [Fact]
    public void OpenAi_ReasoningModelWithMaxCompletionTokens_Accepted() =>
        Assert.Null(OpenAi("o4-mini", ",\"max_completion_tokens\":512,\"reasoning_effort\":\"low\""));

    [Theory]
    [InlineData("0", "Unsupported value: 'temperature' does not support 0 with this model. Only the default (1) value is supported.")]
    [InlineData("0.2", "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.")]
    public void OpenAi_ReasoningModelWithTemperature_UnsupportedValue(string temperature, string message) =>
        Assert.Equal(new RequestProblem(message, "temperature", "unsupported_value"), OpenAi("o4-mini", $",\"temperature\":{temperature}"));

    [Fact]
    public void OpenAi_ReasoningModelWithDefaultTemperature_Accepted() =>
        Assert.Null(OpenAi("gpt-5-mini", ",\"temperature\":1"));

    [Fact]
    public void OpenAi_ReasoningEffortOnChatModel_UnrecognizedArgument() =>
        Assert.Equal(new RequestProblem("Unrecognized request argument supplied: reasoning_effort"), OpenAi("gpt-4o-mini", ",\"reasoning_effort\":\"low\""));

    [Fact]
    public void OpenAi_ReasoningEffortOnLocalServer_Ignored() =>
        Assert.Null(OpenAi("llama3.2", ",\"reasoning_effort\":\"low\"", OpenAiRequestValidator.Compatible));

    [Fact]
    public void OpenAi_MinimalEffortOnOSeries_UnsupportedValue() =>
        Assert.Equal(
            new RequestProblem(
                "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported values are: 'low', 'medium', and 'high'.",
                "reasoning_effort",
                "unsupported_value"),
            OpenAi("o4-mini", ",\"reasoning_effort\":\"minimal\""));

    [Fact]
    public void OpenAi_MinimalEffortOnGpt5_Accepted() =>
        Assert.Null(OpenAi("gpt-5-mini", ",\"reasoning_effort\":\"minimal\""));

    [Fact]
    public void OpenAi_MinimalEffortOnGpt51_UnsupportedValueListsNone() =>
        Assert.Equal(
            "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model. Supported values are: 'none', 'low', 'medium', and 'high'.",
            OpenAi("gpt-5.1", ",\"reasoning_effort\":\"minimal\"")?.Message);

    [Fact]
    public void OpenAi_EffortOnO1Mini_UnsupportedParameter() =>
        Assert.Equal("unsupported_parameter", OpenAi("o1-mini", ",\"reasoning_effort\":\"low\"")?.Code);

    [Fact]
    public void Gemini_BudgetZeroOn25Pro_OnlyWorksInThinkingMode() =>
        Assert.Equal(new RequestProblem("Budget 0 is invalid. This model only works in thinking mode."), Gemini("gemini-2.5-pro", """{"thinkingBudget":0}"""));

    [Fact]
    public void Gemini_BudgetBelowProMinimum_Invalid() =>
        Assert.Equal("The thinking budget (64) is invalid. Please choose a value between 128 and 32768.", Gemini("gemini-2.5-pro", """{"thinkingBudget":64}""")?.Message);

    [Theory]
    [InlineData("gemini-2.5-pro", """{"thinkingBudget":128}""")]
    [InlineData("gemini-2.5-flash", """{"thinkingBudget":0}""")]
    [InlineData("gemini-2.5-flash-lite", """{"thinking_budget":0}""")]
    [InlineData("gemini-2.5-pro", """{"thinkingBudget":-1}""")]
    [InlineData("gemini-3-pro-preview", """{"thinkingLevel":"low"}""")]
    public void Gemini_ValidThinkingConfig_Accepted(string model, string config) =>
        Assert.Null(Gemini(model, config));

    [Fact]
    public void Gemini_ThinkingConfigOnNonThinkingModel_NotEnabled() =>
        Assert.Equal(new RequestProblem("Thinking is not enabled for models/gemini-2.0-flash"), Gemini("gemini-2.0-flash", """{"thinkingBudget":0}"""));

    [Fact]
    public void Gemini_ThinkingLevelOn25_NotSupported() =>
        Assert.Equal(new RequestProblem("Thinking level is not supported for this model."), Gemini("gemini-2.5-flash", """{"thinkingLevel":"low"}"""));
}
