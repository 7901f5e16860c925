using ControlPlane.Contracts;
using ControlPlane.Gateway.Translation;

namespace ControlPlane.Gateway.Tests.Translation;

public sealed class OverlayApplierTests
{
    private static readonly ChatRequest Request = new() { Model = "claude-opus-4-1", System = ["client prompt"] };

    [Fact]
    public void Apply_ReplaceSystemPrompt_ClampMaxTokens_RemoveReasoning()
    {
        var overlay = new TargetOverlay
        {
            SystemPrompt = new SystemPromptOverlay { Mode = SystemPromptModes.Replace, Text = "gpt prompt" },
            Clamps = new OverlayClamps { MaxTokens = 16384 },
            Remove = [OverlayRemovals.Reasoning],
        };

        var result = OverlayApplier.Apply(Request with { MaxTokens = 32000, Reasoning = new Reasoning("high", null) }, overlay);

        Assert.Equal(["gpt prompt"], result.System);
        Assert.Equal(16384, result.MaxTokens);
        Assert.Null(result.Reasoning);
    }

    [Fact]
    public void Apply_PrependAndAppend_KeepTheClientsPrompt()
    {
        Assert.Equal(["pre", "client prompt"], OverlayApplier.Apply(Request, new() { SystemPrompt = new() { Mode = SystemPromptModes.Prepend, Text = "pre" } }).System);
        Assert.Equal(["client prompt", "post"], OverlayApplier.Apply(Request, new() { SystemPrompt = new() { Mode = SystemPromptModes.Append, Text = "post" } }).System);
    }

    [Fact]
    public void Apply_Defaults_OnlyWhereTheClientSetNothing_AndTheCeilingBoundsADefault()
    {
        var overlay = new TargetOverlay
        {
            Defaults = new OverlayDefaults { MaxTokens = 8000, TemperatureMilli = 700, TopPMilli = 900, ReasoningEffort = "low" },
            Clamps = new OverlayClamps { MaxTokens = 4096 },
        };

        var unset = OverlayApplier.Apply(Request, overlay);
        var set = OverlayApplier.Apply(Request with { Temperature = 0.2, Reasoning = new Reasoning(null, 2048) }, overlay);

        Assert.Equal((4096, 0.7, 0.9, "low"), (unset.MaxTokens!.Value, unset.Temperature!.Value, unset.TopP!.Value, unset.Reasoning!.Effort));
        Assert.Equal(0.2, set.Temperature);
        Assert.Equal(2048, set.Reasoning!.BudgetTokens);
    }

    [Fact]
    public void Apply_TemperatureIsClampedIntoRange()
    {
        var overlay = new TargetOverlay { Clamps = new OverlayClamps { TemperatureMinMilli = 200, TemperatureMaxMilli = 800 } };

        Assert.Equal(0.8, OverlayApplier.Apply(Request with { Temperature = 1.5 }, overlay).Temperature);
        Assert.Equal(0.2, OverlayApplier.Apply(Request with { Temperature = 0 }, overlay).Temperature);
        Assert.Null(OverlayApplier.Apply(Request, overlay).Temperature);
    }

    [Fact]
    public void Apply_RemoveTools_AlsoRemovesToolChoiceAndParallelCalls_AndOtherRemovalsClearTheirField()
    {
        var request = Request with
        {
            Tools = [new ToolDefinition("f", null, null)],
            ToolChoice = new ToolChoice(ToolChoiceKind.Required),
            ParallelToolCalls = false,
            TopK = 40,
            StopSequences = ["END"],
            User = "u1",
            ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonObject),
            Temperature = 1,
        };

        var result = OverlayApplier.Apply(request, new TargetOverlay { Remove = OverlayRemovals.All });

        Assert.Empty(result.Tools);
        Assert.Null(result.ToolChoice);
        Assert.Null(result.ParallelToolCalls);
        Assert.Null(result.TopK);
        Assert.Empty(result.StopSequences);
        Assert.Null(result.User);
        Assert.Null(result.ResponseFormat);
        Assert.Null(result.Temperature);
    }
}
