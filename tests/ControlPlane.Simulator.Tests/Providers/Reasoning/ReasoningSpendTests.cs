using System.Text.Json;
using ControlPlane.Simulator.Providers.Reasoning;
using ControlPlane.Simulator.Providers.Scripting;
using ControlPlane.Simulator.Providers.Wire;

namespace ControlPlane.Simulator.Tests.Providers.Reasoning;

/// Reasoning models spend hidden tokens according to the effort or budget asked for, like the real ones.
public sealed class ReasoningSpendTests
{
    private static int? OpenAiSpend(string model, string extra = "")
    {
        using var doc = JsonDocument.Parse($$"""{"model":"{{model}}","messages":[]{{extra}}}""");
        return ReasoningModels.OpenAiSpend(model, doc.RootElement);
    }

    private static int? GeminiSpend(string model, string generationConfig)
    {
        using var doc = JsonDocument.Parse($$"""{"contents":[],"generationConfig":{{generationConfig}}}""");
        return ReasoningModels.GeminiSpend(model, doc.RootElement);
    }

    [Theory]
    [InlineData("gpt-5-mini", "minimal", 0)]
    [InlineData("gpt-5.1", "none", 0)]
    [InlineData("o4-mini", "low", ReasoningModels.Low)]
    [InlineData("o4-mini", "medium", ReasoningModels.Medium)]
    [InlineData("o3", "high", ReasoningModels.High)]
    public void OpenAi_ReasoningTokensFollowTheEffort(string model, string effort, int expected) =>
        Assert.Equal(expected, OpenAiSpend(model, $",\"reasoning_effort\":\"{effort}\""));

    [Theory]
    [InlineData("o4-mini", ReasoningModels.Medium)]
    [InlineData("gpt-5-mini", ReasoningModels.Medium)]
    [InlineData("gpt-5.1", 0)]
    public void OpenAi_NoEffort_TheFamilysDefault(string model, int expected) =>
        Assert.Equal(expected, OpenAiSpend(model));

    [Fact]
    public void OpenAi_ChatModel_NoReasoning() => Assert.Null(OpenAiSpend("gpt-4.1"));

    [Theory]
    [InlineData("gemini-2.5-flash", """{"thinkingConfig":{"thinkingBudget":0}}""", 0)]
    [InlineData("gemini-2.5-pro", """{"thinkingConfig":{"thinkingBudget":128}}""", 128)]
    [InlineData("gemini-2.5-flash", """{"maxOutputTokens":16}""", ReasoningModels.GeminiDynamic)]
    [InlineData("gemini-3-pro-preview", """{"thinkingConfig":{"thinkingLevel":"low"}}""", ReasoningModels.Low)]
    [InlineData("gemini-3-pro-preview", """{}""", ReasoningModels.High)]
    public void Gemini_ThoughtsFollowTheBudgetOrLevel(string model, string config, int expected) =>
        Assert.Equal(expected, GeminiSpend(model, config));

    [Fact]
    public void Gemini_NonThinkingModel_NoThoughts() => Assert.Null(GeminiSpend("gemini-2.0-flash", "{}"));

    [Fact]
    public void Reply_ReasoningExhaustsTheLimit_EmptyAnswerCutByLength()
    {
        var request = new CompletionRequest("o4-mini", false, 16, false, 5) { ReasoningTokens = 256, ReasoningSharesLimit = true };

        var reply = SimulatedReply.For(request, "id", "call", DateTimeOffset.UnixEpoch);

        Assert.Empty(reply.Pieces);
        Assert.True(reply.HitMaxTokens);
        Assert.Equal(16, reply.ReasoningTokens);
    }

    [Fact]
    public void Reply_RoomLeftAfterReasoning_AnswersInFull()
    {
        var request = new CompletionRequest("o4-mini", false, 512, false, 5) { ReasoningTokens = 64, ReasoningSharesLimit = true };

        var reply = SimulatedReply.For(request, "id", "call", DateTimeOffset.UnixEpoch);

        Assert.Equal("pong", reply.Text);
        Assert.False(reply.HitMaxTokens);
        Assert.Equal(64, reply.ReasoningTokens);
    }

    [Fact]
    public void Reply_ReasoningLeavesOneToken_AnswerIsCut()
    {
        var request = new CompletionRequest("o4-mini", false, 65, false, 5) { ReasoningTokens = 64, ReasoningSharesLimit = true, Plan = ReplyPlan.Pong };

        var reply = SimulatedReply.For(request, "id", "call", DateTimeOffset.UnixEpoch);

        Assert.Single(reply.Pieces);
        Assert.True(reply.HitMaxTokens);
    }
}
