namespace ControlPlane.Gateway.Translation;

/// <summary>Conversions between a whole answer and its stream events.</summary>
internal static class StreamEvents
{
    /// <summary>
    /// The events a whole answer would have streamed as, for a client that asked for a stream from a provider that
    /// answered in one piece.
    /// </summary>
    public static IEnumerable<StreamEvent> From(ChatResponse response)
    {
        yield return new MessageStarted(response.Id, response.Model, response.Usage with { OutputTokens = 0 });
        var index = 0;
        foreach (var part in response.Content)
        {
            switch (part)
            {
                case TextPart text:
                    yield return new BlockStarted(index, BlockKind.Text);
                    yield return new BlockDelta(index, text.Text);
                    break;
                case ThinkingPart thinking:
                    yield return new BlockStarted(index, BlockKind.Thinking);
                    yield return new BlockDelta(index, thinking.Text);
                    break;
                case ToolCallPart call:
                    yield return new BlockStarted(index, BlockKind.ToolCall, call.Id, call.Name);
                    yield return new BlockDelta(index, call.Arguments);
                    break;
                default:
                    continue;
            }

            yield return new BlockStopped(index++);
        }

        yield return new MessageFinished(response.Finish, response.StopSequence, response.Usage);
    }
}
