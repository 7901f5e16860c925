using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Gemini;

/// <summary>
/// Reads one <c>streamGenerateContent?alt=sse</c> answer: every <c>data:</c> is a whole <c>GenerateContentResponse</c>
/// chunk. Text arrives in pieces and becomes one open block; a function call arrives whole and becomes a block of its
/// own. Gemini sends no terminator, so the answer is complete when a chunk carried a finish reason.
/// </summary>
internal sealed class GeminiStreamDecoder : IStreamDecoder
{
    private string? _responseId;
    private bool _started;
    private bool _failed;
    private int _nextIndex;
    private int? _openIndex;
    private BlockKind _openKind;
    private int _calls;
    private string? _finishReason;
    private bool _blocked;
    private Usage _usage = Usage.None;

    public void Decode(SseEvent sseEvent, List<StreamEvent> output)
    {
        if (_failed || sseEvent.Data.IsEmpty)
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(sseEvent.Data);
        }
        catch (JsonException e)
        {
            throw new MalformedResponseException($"A Gemini stream chunk is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedResponseException("A Gemini stream chunk is not a JSON object.");
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                CloseOpenBlock(output);
                _failed = true;
                output.Add(StreamFailed.FromProvider(GeminiErrors.FaultOf(error, 500), sseEvent.Data.Span));
                return;
            }

            if (root.TryGetProperty("usageMetadata", out _))
            {
                _usage = GeminiAnswer.UsageOf(root); // cumulative: the last one is the total
            }

            if (!_started)
            {
                _started = true;
                _responseId = GeminiAnswer.StringOf(root, "responseId");
                var input = _usage with { OutputTokens = 0, ReasoningTokens = null }; // what is known up front
                output.Add(new MessageStarted(_responseId ?? string.Empty, GeminiAnswer.StringOf(root, "modelVersion") ?? string.Empty, input));
            }

            if (!GeminiAnswer.TryFirstCandidate(root, out var candidate))
            {
                _blocked |= GeminiAnswer.PromptBlocked(root);
                return;
            }

            foreach (var part in GeminiAnswer.PartsOf(candidate))
            {
                if (part.TryGetProperty("functionCall", out var call) && call.ValueKind == JsonValueKind.Object)
                {
                    CloseOpenBlock(output);
                    var name = GeminiAnswer.StringOf(call, "name")
                        ?? throw new MalformedResponseException("A Gemini functionCall part has no name.");
                    var index = _nextIndex++;
                    output.Add(new BlockStarted(index, BlockKind.ToolCall, GeminiAnswer.CallId(call, _responseId, _calls++), name));
                    output.Add(new BlockDelta(index, GeminiAnswer.ArgumentsOf(call)));
                    output.Add(new BlockStopped(index));
                }
                else if (GeminiAnswer.StringOf(part, "text") is { Length: > 0 } text)
                {
                    var kind = GeminiAnswer.IsThought(part) ? BlockKind.Thinking : BlockKind.Text;
                    if (_openIndex is null || _openKind != kind)
                    {
                        CloseOpenBlock(output);
                        _openIndex = _nextIndex++;
                        _openKind = kind;
                        output.Add(new BlockStarted(_openIndex.Value, kind));
                    }

                    output.Add(new BlockDelta(_openIndex.Value, text));
                }
            }

            if (GeminiAnswer.StringOf(candidate, "finishReason") is { } finishReason)
            {
                _finishReason = finishReason;
            }
        }
    }

    public bool Complete(List<StreamEvent> output)
    {
        if (_failed || !_started)
        {
            return false;
        }

        CloseOpenBlock(output);
        var finish = _blocked && _finishReason is null ? FinishReason.Refusal : GeminiAnswer.FinishOf(_finishReason, _calls > 0);
        output.Add(new MessageFinished(finish, null, _usage));
        return _finishReason is not null || _blocked;
    }

    private void CloseOpenBlock(List<StreamEvent> output)
    {
        if (_openIndex is { } index)
        {
            output.Add(new BlockStopped(index));
            _openIndex = null;
        }
    }
}
