using ControlPlane.Gateway.Translation;

namespace ControlPlane.Gateway.Tests.Translation;

public sealed class AnswerShapeTests
{
    [Fact]
    public void IsContentBearing_EnvelopeEvents_HoldTheAnswerBack() =>
        Assert.All(NotYetContent, e => Assert.False(AnswerShape.IsContentBearing(e)));

    private static readonly StreamEvent[] NotYetContent =
    [
        new MessageStarted("m", "x", Usage.None),
        new BlockStarted(0, BlockKind.Text),
        new BlockDelta(0, ""),
        new BlockStopped(0),
        new MessageFinished(FinishReason.EndTurn, null, Usage.None),
    ];

    [Fact]
    public void IsContentBearing_TextToolCallsAndLegitimateEmptyFinishes_CommitTheAnswer() =>
        Assert.All(Content, e => Assert.True(AnswerShape.IsContentBearing(e)));

    private static readonly StreamEvent[] Content =
    [
        new BlockDelta(0, "p"),
        new BlockStarted(1, BlockKind.ToolCall, "call_1", "Read"),
        new MessageFinished(FinishReason.MaxTokens, null, Usage.None),
        new MessageFinished(FinishReason.Refusal, null, Usage.None),
    ];

    [Fact]
    public void IsEmpty_NoContentOrOnlyEmptyText_IsNotAnAnswer()
    {
        Assert.True(AnswerShape.IsEmpty(Response(FinishReason.EndTurn)));
        Assert.True(AnswerShape.IsEmpty(Response(FinishReason.EndTurn, new TextPart(""))));
    }

    [Fact]
    public void IsEmpty_ToolCallWithoutText_IsAnAnswer() =>
        Assert.False(AnswerShape.IsEmpty(Response(FinishReason.ToolUse, new ToolCallPart("call_1", "Read", "{}"))));

    [Fact]
    public void IsEmpty_TokenLimitOrRefusalWithNothing_IsStillAnAnswer()
    {
        Assert.False(AnswerShape.IsEmpty(Response(FinishReason.MaxTokens)));
        Assert.False(AnswerShape.IsEmpty(Response(FinishReason.Refusal)));
    }

    private static ChatResponse Response(FinishReason finish, params ContentPart[] content) =>
        new("id", "model", content, finish, null, Usage.None);
}
