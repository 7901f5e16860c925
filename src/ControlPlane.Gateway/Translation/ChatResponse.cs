namespace ControlPlane.Gateway.Translation;

/// <summary>Why the model stopped, in the union of the APIs' vocabularies.</summary>
internal enum FinishReason
{
    /// <summary>A natural end (Anthropic <c>end_turn</c>, OpenAI <c>stop</c>, Gemini <c>STOP</c>).</summary>
    EndTurn,

    /// <summary>The output token limit (<c>max_tokens</c>, <c>length</c>, <c>MAX_TOKENS</c>).</summary>
    MaxTokens,

    /// <summary>A client stop sequence matched (OpenAI reports it as <c>stop</c>).</summary>
    StopSequence,

    /// <summary>The model called tools and waits for their results.</summary>
    ToolUse,

    /// <summary>The provider's safety system stopped or withheld the answer (<c>content_filter</c>, <c>SAFETY</c>, Anthropic <c>refusal</c>).</summary>
    Refusal,
}

/// <summary>
/// Token counts. <see cref="InputTokens"/> counts every prompt token, cached ones included (as OpenAI and Gemini
/// report it); <see cref="CachedInputTokens"/> and <see cref="CacheCreationTokens"/> say how many of them were read
/// from or written to a prompt cache (Anthropic reports those three apart; its codec adds and subtracts).
/// </summary>
internal sealed record Usage(int InputTokens, int OutputTokens, int? CachedInputTokens = null, int? CacheCreationTokens = null, int? ReasoningTokens = null)
{
    public static readonly Usage None = new(0, 0);
}

/// <summary>A complete (non-streamed) answer.</summary>
internal sealed record ChatResponse(
    string Id, string Model, IReadOnlyList<ContentPart> Content, FinishReason Finish, string? StopSequence, Usage Usage);

/// <summary>
/// One event of a streamed answer, on Anthropic's block model (the most explicit of the three): blocks are opened,
/// filled with deltas and closed, one at a time, in index order. Decoders of other APIs open and close blocks as
/// their chunks imply; encoders of other APIs fold blocks back into their own chunk shapes.
/// </summary>
internal abstract record StreamEvent;

/// <summary>The answer begins. <paramref name="Usage"/> holds the input tokens when the API tells them up front.</summary>
internal sealed record MessageStarted(string Id, string Model, Usage Usage) : StreamEvent;

internal enum BlockKind
{
    Text,
    ToolCall,
    Thinking,
}

/// <summary>A content block opens. Tool calls carry their id and name here; their arguments follow as deltas.</summary>
internal sealed record BlockStarted(int Index, BlockKind Kind, string? ToolCallId = null, string? ToolName = null) : StreamEvent;

/// <summary>More of a block: text, a fragment of a tool call's JSON arguments, or reasoning text.</summary>
internal sealed record BlockDelta(int Index, string Delta) : StreamEvent;

internal sealed record BlockStopped(int Index) : StreamEvent;

/// <summary>The answer is complete: why it stopped and the final usage (output tokens at least).</summary>
internal sealed record MessageFinished(FinishReason Finish, string? StopSequence, Usage Usage) : StreamEvent;

/// <summary>The provider reported an error inside the stream (e.g. Anthropic <c>event: error</c> with <c>overloaded_error</c>).</summary>
/// <param name="Fault">The error, for the client in its own API.</param>
/// <param name="Outcome">
/// What it says about the target's health (<see cref="ControlPlane.Contracts.Outcomes"/>), named by
/// <see cref="ControlPlane.Contracts.Providers.ErrorClassifier.ClassifyFirstEvent"/> — the rule probes use too.
/// </param>
internal sealed record StreamFailed(ApiFault Fault, string Outcome = ControlPlane.Contracts.Outcomes.StreamError) : StreamEvent
{
    /// <summary>A provider's error event, its outcome classified from the event's own bytes.</summary>
    public static StreamFailed FromProvider(ApiFault fault, ReadOnlySpan<byte> eventData) =>
        new(fault, ControlPlane.Contracts.Providers.ErrorClassifier.ClassifyFirstEvent(ControlPlane.Contracts.Providers.ProviderError.TryParse(eventData)));
}
