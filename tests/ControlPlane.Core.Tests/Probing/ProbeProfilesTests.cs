using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Probing;

public sealed class ProbeProfilesTests
{
    private static ProbeSettings Probe(ProbeProfile profile = ProbeProfile.Auto, int maxTokens = 1) =>
        CatalogBuilder.DefaultProbe with { MaxTokens = maxTokens, Profile = profile };

    private static ProbeRequestShape Shape(ProviderKind kind, string model, ProbeProfile profile = ProbeProfile.Auto, int maxTokens = 1) =>
        ProbeProfiles.For(kind, model, Probe(profile, maxTokens));

    [Theory]
    [InlineData("gpt-5")]
    [InlineData("gpt-5-mini")]
    [InlineData("gpt-5-nano-2025-08-07")]
    public void Auto_Gpt5_MaxCompletionTokensWithMinimalEffort(string model)
    {
        var shape = Shape(ProviderKind.OpenAI, model);

        Assert.Equal(ProbeTokenLimitField.MaxCompletionTokens, shape.LimitField);
        Assert.Equal("minimal", shape.ReasoningEffort);
        Assert.Equal(ProbeProfiles.NoReasoningRoom, shape.MaxTokens);
    }

    [Theory]
    [InlineData("gpt-5.1")]
    [InlineData("gpt-5.2-2025-12-11")]
    public void Auto_Gpt5PointReleases_SwitchReasoningOffWithNone(string model)
    {
        // gpt-5.1 and later reject "minimal" and accept "none".
        var shape = Shape(ProviderKind.OpenAI, model);

        Assert.Equal("none", shape.ReasoningEffort);
        Assert.Equal(ProbeTokenLimitField.MaxCompletionTokens, shape.LimitField);
    }

    [Theory]
    [InlineData("o1")]
    [InlineData("o3")]
    [InlineData("o3-mini")]
    [InlineData("o4-mini")]
    [InlineData("o4-mini-2025-04-16")]
    [InlineData("o3-pro")]
    public void Auto_OSeries_LowEffortWithRoomToAnswer(string model)
    {
        var shape = Shape(ProviderKind.OpenAI, model);

        Assert.Equal(ProbeTokenLimitField.MaxCompletionTokens, shape.LimitField);
        Assert.Equal("low", shape.ReasoningEffort);
        // Never one token: the model would spend it reasoning and answer empty.
        Assert.Equal(ProbeProfiles.CappedReasoningLimit, shape.MaxTokens);
    }

    [Theory]
    [InlineData("o1-mini")]
    [InlineData("o1-preview")]
    public void Auto_FirstO1Previews_SendNoReasoningEffort(string model)
    {
        var shape = Shape(ProviderKind.OpenAI, model);

        Assert.Null(shape.ReasoningEffort);
        Assert.Equal(ProbeTokenLimitField.MaxCompletionTokens, shape.LimitField);
        Assert.Equal(ProbeProfiles.CappedReasoningLimit, shape.MaxTokens);
    }

    [Fact]
    public void Auto_Gpt5Pro_KeepsItsOnlyEffort() =>
        Assert.Null(Shape(ProviderKind.OpenAI, "gpt-5-pro").ReasoningEffort);

    [Fact]
    public void Auto_Gpt5Codex_UsesLowEffort() =>
        Assert.Equal("low", Shape(ProviderKind.OpenAI, "gpt-5.1-codex").ReasoningEffort);

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("gpt-4.1-mini")]
    [InlineData("gpt-5-chat-latest")]
    public void Auto_OpenAINonReasoning_TodaysShapeWithoutEffort(string model)
    {
        var shape = Shape(ProviderKind.OpenAI, model);

        Assert.Equal("standard", shape.Family);
        Assert.Equal(ProbeTokenLimitField.MaxCompletionTokens, shape.LimitField);
        Assert.Equal(1, shape.MaxTokens);
        Assert.Null(shape.ReasoningEffort);
    }

    [Fact]
    public void Auto_CompatibleServerWithPlainModel_SendsMaxTokens()
    {
        var shape = Shape(ProviderKind.OpenAICompatible, "llama3.2");

        Assert.Equal(ProbeTokenLimitField.MaxTokens, shape.LimitField);
        Assert.Null(shape.ReasoningEffort);
    }

    [Theory]
    [InlineData("o4-mini")]
    [InlineData("openai/o4-mini")]
    [InlineData("O4-Mini")]
    public void Auto_CompatibleServerWithOSeriesModel_UsesTheFamilyShape(string model)
    {
        // A router or proxy in front of OpenAI passes OpenAI's rules (and rejections) on.
        var shape = Shape(ProviderKind.OpenAICompatible, model);

        Assert.Equal(ProbeTokenLimitField.MaxCompletionTokens, shape.LimitField);
        Assert.Equal("low", shape.ReasoningEffort);
    }

    [Theory]
    [InlineData("gemini-2.5-flash")]
    [InlineData("gemini-2.5-flash-lite")]
    [InlineData("models/gemini-2.5-flash-preview-05-20")]
    public void Auto_Gemini25Flash_ThinkingBudgetZero(string model)
    {
        var shape = Shape(ProviderKind.Gemini, model);

        Assert.Equal(0, shape.ThinkingBudget);
        Assert.Null(shape.ThinkingLevel);
        Assert.Equal(ProbeTokenLimitField.MaxOutputTokens, shape.LimitField);
        Assert.Equal(1, shape.MaxTokens);
    }

    [Fact]
    public void Auto_Gemini25Pro_SmallestBudgetCutShortByTheLimit()
    {
        // 2.5 Pro cannot turn thinking off: budget 0 is a 400, and thoughts count against maxOutputTokens. The limit
        // sits below the smallest budget on purpose: the probe is cut short there and costs at most the limit.
        var shape = Shape(ProviderKind.Gemini, "gemini-2.5-pro");

        Assert.Equal(128, shape.ThinkingBudget);
        Assert.Equal(ProbeProfiles.CappedReasoningLimit, shape.MaxTokens);
        Assert.True(shape.MaxTokens < shape.ThinkingBudget);
    }

    [Theory]
    [InlineData("gemini-3-pro-preview")]
    [InlineData("gemini-3-flash")]
    public void Auto_Gemini3_LowThinkingLevel(string model)
    {
        var shape = Shape(ProviderKind.Gemini, model);

        Assert.Equal("low", shape.ThinkingLevel);
        Assert.Null(shape.ThinkingBudget);
        Assert.Equal(ProbeProfiles.CappedReasoningLimit, shape.MaxTokens);
    }

    [Theory]
    [InlineData("gemini-2.0-flash")]
    [InlineData("gemini-1.5-pro")]
    public void Auto_OlderGemini_NoThinkingConfig(string model)
    {
        var shape = Shape(ProviderKind.Gemini, model);

        Assert.Null(shape.ThinkingBudget);
        Assert.Null(shape.ThinkingLevel);
        Assert.Equal(1, shape.MaxTokens);
    }

    [Theory]
    [InlineData(ProbeProfile.Auto)]
    [InlineData(ProbeProfile.Reasoning)]
    public void Anthropic_NeverAsksForThinking_MaxTokensAsConfigured(ProbeProfile profile)
    {
        var shape = Shape(ProviderKind.Anthropic, "claude-sonnet-4-5", profile, maxTokens: 4);

        Assert.Equal(ProbeTokenLimitField.MaxTokens, shape.LimitField);
        Assert.Equal(4, shape.MaxTokens);
        Assert.Null(shape.ReasoningEffort);
        Assert.Null(shape.ThinkingBudget);
    }

    [Fact]
    public void Auto_ConfiguredLimitAboveTheRoom_IsKept() =>
        Assert.Equal(2000, Shape(ProviderKind.OpenAI, "o4-mini", maxTokens: 2000).MaxTokens);

    [Theory]
    [InlineData(ProviderKind.OpenAI, ProbeTokenLimitField.MaxCompletionTokens)]
    [InlineData(ProviderKind.OpenAICompatible, ProbeTokenLimitField.MaxTokens)]
    public void Standard_OSeriesModel_TodaysShapeWithoutEffort(ProviderKind kind, ProbeTokenLimitField field)
    {
        var shape = Shape(kind, "o4-mini", ProbeProfile.Standard);

        Assert.Equal(field, shape.LimitField);
        Assert.Equal(1, shape.MaxTokens);
        Assert.Null(shape.ReasoningEffort);
    }

    [Fact]
    public void Standard_Gemini25Pro_NoThinkingConfig()
    {
        var shape = Shape(ProviderKind.Gemini, "gemini-2.5-pro", ProbeProfile.Standard);

        Assert.Null(shape.ThinkingBudget);
        Assert.Null(shape.ThinkingLevel);
    }

    [Fact]
    public void Reasoning_UnknownOpenAIDeployment_LowEffortAndMaxCompletionTokens()
    {
        // A deployment alias hides the family; the operator says it reasons.
        var shape = Shape(ProviderKind.OpenAICompatible, "prod-reasoner", ProbeProfile.Reasoning);

        Assert.Equal(ProbeTokenLimitField.MaxCompletionTokens, shape.LimitField);
        Assert.Equal("low", shape.ReasoningEffort);
        Assert.Equal(ProbeProfiles.CappedReasoningLimit, shape.MaxTokens);
    }

    [Fact]
    public void Reasoning_KnownFamily_SameAsAuto() =>
        Assert.Equal(Shape(ProviderKind.OpenAI, "gpt-5-mini"), Shape(ProviderKind.OpenAI, "gpt-5-mini", ProbeProfile.Reasoning));

    [Fact]
    public void Reasoning_UnknownGeminiModel_DefaultThinkingWithRoom()
    {
        var shape = Shape(ProviderKind.Gemini, "my-tuned-model", ProbeProfile.Reasoning);

        Assert.Null(shape.ThinkingBudget);
        Assert.Null(shape.ThinkingLevel);
        Assert.Equal(ProbeProfiles.CappedReasoningLimit, shape.MaxTokens);
    }
}
