using System.Text.Json;

namespace ControlPlane.Gateway.Translation.OpenAiChat;

/// <summary>
/// Turns one Chat Completions stream (<c>data: {chunk}</c> … <c>data: [DONE]</c>) into block events. OpenAI has no
/// blocks: one opens when the kind of delta changes (reasoning, text, a new tool-call index) and closes when the
/// next opens or the stream ends. The finish waits for <c>[DONE]</c>, since the usage chunk comes after the
/// finish_reason.
/// </summary>
internal sealed class OpenAiChatStreamDecoder : IStreamDecoder
{
    private bool _started;
    private bool _ended;
    private int _nextBlock;
    private int? _openBlock;
    private BlockKind _openKind;
    private int? _openToolIndex;
    private readonly HashSet<int> _closedToolIndexes = [];
    private string? _finishReason;
    private bool _sawToolCall;
    private bool _refused;
    private bool _failed;
    private Usage _usage = Usage.None;

    public void Decode(SseEvent sseEvent, List<StreamEvent> output)
    {
        if (_ended)
        {
            return;
        }

        if (sseEvent.DataIs("[DONE]"u8))
        {
            Finish(output);
            return;
        }

        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(sseEvent.Data.Span);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new MalformedResponseException("A Chat Completions stream chunk is not valid JSON: " + e.Message);
        }

        using (doc)
        {
            var chunk = doc.RootElement;
            if (chunk.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedResponseException("A Chat Completions stream chunk is not a JSON object.");
            }

            if (chunk.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            {
                _ended = true;
                _failed = true;
                var status = OpenAiChatErrors.StatusOf(error);
                var fault = OpenAiChatErrors.FromJson(status, chunk)
                    ?? new ApiFault(status, ApiFault.KindOf(status), "The provider reported an error in the stream.");
                output.Add(StreamFailed.FromProvider(fault, sseEvent.Data.Span));
                return;
            }

            if (!_started)
            {
                _started = true;
                output.Add(new MessageStarted(String(chunk, "id") ?? "", String(chunk, "model") ?? "", Usage.None));
            }

            if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                _usage = OpenAiChatResponseCodec.UsageOf(chunk);
            }

            if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                return; // the usage chunk (choices: []) or a keep-alive
            }

            var choice = choices[0];
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                Delta(delta, output);
            }

            if (String(choice, "finish_reason") is { } finishReason)
            {
                _finishReason = finishReason;
            }
        }
    }

    public bool Complete(List<StreamEvent> output)
    {
        if (_ended)
        {
            return !_failed;
        }

        // Some compatible servers (older Ollama and llamafile builds) close the stream after the finish_reason chunk
        // without [DONE]; the answer is whole, so it is finished here. Without a finish_reason it was cut off.
        if (_finishReason is null)
        {
            return false;
        }

        Finish(output);
        return true;
    }

    private void Delta(JsonElement delta, List<StreamEvent> output)
    {
        var reasoning = String(delta, "reasoning_content") ?? String(delta, "reasoning");
        if (!string.IsNullOrEmpty(reasoning))
        {
            Open(BlockKind.Thinking, output);
            output.Add(new BlockDelta(_openBlock!.Value, reasoning));
        }

        if (String(delta, "content") is { Length: > 0 } content)
        {
            Open(BlockKind.Text, output);
            output.Add(new BlockDelta(_openBlock!.Value, content));
        }

        if (String(delta, "refusal") is { Length: > 0 } refusal)
        {
            _refused = true;
            Open(BlockKind.Text, output);
            output.Add(new BlockDelta(_openBlock!.Value, refusal));
        }

        if (!delta.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var call in calls.EnumerateArray())
        {
            var index = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n) ? n : 0;
            var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            if (_openKind != BlockKind.ToolCall || _openToolIndex != index || _openBlock is null)
            {
                // A block cannot be reopened: a fragment for a call already closed would be lost or misplaced.
                if (_closedToolIndexes.Contains(index))
                {
                    throw new MalformedResponseException($"Tool call {index} received arguments after the next tool call began.");
                }

                Close(output);
                _sawToolCall = true;
                _openBlock = _nextBlock++;
                _openKind = BlockKind.ToolCall;
                _openToolIndex = index;
                var name = function.ValueKind == JsonValueKind.Object ? String(function, "name") : null;
                output.Add(new BlockStarted(_openBlock.Value, BlockKind.ToolCall, String(call, "id") ?? $"call_{index}", name ?? ""));
            }

            if (function.ValueKind == JsonValueKind.Object && String(function, "arguments") is { Length: > 0 } arguments)
            {
                output.Add(new BlockDelta(_openBlock.Value, arguments));
            }
        }
    }

    private void Open(BlockKind kind, List<StreamEvent> output)
    {
        if (_openBlock is not null && _openKind == kind && kind != BlockKind.ToolCall)
        {
            return;
        }

        Close(output);
        _openBlock = _nextBlock++;
        _openKind = kind;
        output.Add(new BlockStarted(_openBlock.Value, kind));
    }

    private void Close(List<StreamEvent> output)
    {
        if (_openBlock is { } open)
        {
            output.Add(new BlockStopped(open));
            if (_openKind == BlockKind.ToolCall && _openToolIndex is { } toolIndex)
            {
                _closedToolIndexes.Add(toolIndex);
            }

            _openBlock = null;
            _openToolIndex = null;
        }
    }

    private void Finish(List<StreamEvent> output)
    {
        _ended = true;
        if (!_started)
        {
            _started = true;
            output.Add(new MessageStarted("", "", Usage.None));
        }

        Close(output);
        var finish = _refused ? FinishReason.Refusal : OpenAiChatResponseCodec.FinishOf(_finishReason, _sawToolCall);
        output.Add(new MessageFinished(finish, null, _usage));
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
