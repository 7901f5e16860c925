namespace ControlPlane.Gateway.Translation;

/// <summary>
/// What counts as an answer. A 200 whose stream opens with an error, closes with nothing, or whose body has no
/// content is not one: until the first content-bearing event the gateway holds the client's response, and such a
/// "success" moves the request to the next target like any failure before the first byte.
/// </summary>
internal static class AnswerShape
{
    /// <summary>
    /// True for the event that commits the answer to the client: the first text, reasoning or tool-call content,
    /// or a finish that is an answer even without content (the token limit or the provider's refusal).
    /// </summary>
    public static bool IsContentBearing(StreamEvent streamEvent) => streamEvent switch
    {
        BlockStarted { Kind: BlockKind.ToolCall } => true,
        BlockDelta delta => delta.Delta.Length > 0,
        MessageFinished finished => IsAnswerWithoutContent(finished.Finish),
        _ => false,
    };

    /// <summary>True when a complete answer carries nothing: no text, no tool call, no reasoning, and no reason to be empty.</summary>
    public static bool IsEmpty(ChatResponse response)
    {
        if (IsAnswerWithoutContent(response.Finish))
        {
            return false;
        }

        foreach (var part in response.Content)
        {
            switch (part)
            {
                case ToolCallPart:
                case TextPart { Text.Length: > 0 }:
                case ThinkingPart { Text.Length: > 0 }:
                    return false;
            }
        }

        return true;
    }

    private static bool IsAnswerWithoutContent(FinishReason finish) => finish is FinishReason.MaxTokens or FinishReason.Refusal;
}
