using ControlPlane.Gateway.Translation;

namespace ControlPlane.Gateway.Tests.Translation;

public sealed class StreamEventsTests
{
    [Fact]
    public void From_WholeAnswer_StreamsEachPartAsOneBlockInOrder()
    {
        var response = new ChatResponse("msg_1", "gpt-4.1",
            [new TextPart("Let me look."), new ToolCallPart("call_1", "Read", """{"path":"a"}""")],
            FinishReason.ToolUse, null, new Usage(12, 7));

        var events = StreamEvents.From(response).ToList();

        Assert.Equal(
        [
            new MessageStarted("msg_1", "gpt-4.1", new Usage(12, 0)),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "Let me look."),
            new BlockStopped(0),
            new BlockStarted(1, BlockKind.ToolCall, "call_1", "Read"),
            new BlockDelta(1, """{"path":"a"}"""),
            new BlockStopped(1),
            new MessageFinished(FinishReason.ToolUse, null, new Usage(12, 7)),
        ], events);
    }
}
