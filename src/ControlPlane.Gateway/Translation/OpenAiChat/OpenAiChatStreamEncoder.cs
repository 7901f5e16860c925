using System.Buffers;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.OpenAiChat;

/// <summary>
/// Folds internal stream events into <c>chat.completion.chunk</c> events for one answer. Every chunk carries the
/// same id, created and model (the client's model name); thinking is not shown.
/// </summary>
internal sealed class OpenAiChatStreamEncoder(string model, bool includeUsage, long created) : IStreamEncoder
{
    private readonly Dictionary<int, int> _toolIndexOfBlock = [];
    private readonly HashSet<int> _textBlocks = [];
    private readonly ArrayBufferWriter<byte> _json = new(512);
    private string? _id;
    private Usage _startUsage = Usage.None;
    private bool _finished;

    public void Write(StreamEvent streamEvent, IBufferWriter<byte> output)
    {
        if (_finished)
        {
            return;
        }

        if (streamEvent is StreamFailed failed)
        {
            _finished = true;
            output.Write(OpenAiChatErrors.EncodeStreamEvent(failed.Fault));
            return;
        }

        if (_id is null)
        {
            // A decoder always starts with MessageStarted; without one, the chunks still need an id and a first role.
            var started = streamEvent as MessageStarted ?? new MessageStarted("gw" + Guid.NewGuid().ToString("N"), model, Usage.None);
            _id = OpenAiChatJson.CompletionId(started.Id);
            _startUsage = started.Usage;
            Chunk(output, static w =>
            {
                w.WriteString("role", "assistant");
                w.WriteString("content", "");
                w.WriteNull("refusal");
            });
            if (streamEvent is MessageStarted)
            {
                return;
            }
        }

        switch (streamEvent)
        {
            case BlockStarted { Kind: BlockKind.Text } text:
                _textBlocks.Add(text.Index);
                break;
            case BlockStarted { Kind: BlockKind.ToolCall } tool:
                var toolIndex = _toolIndexOfBlock.Count;
                _toolIndexOfBlock[tool.Index] = toolIndex;
                Chunk(output, w =>
                {
                    w.WriteStartArray("tool_calls");
                    w.WriteStartObject();
                    w.WriteNumber("index", toolIndex);
                    w.WriteString("id", tool.ToolCallId);
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", tool.ToolName);
                    w.WriteString("arguments", "");
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndArray();
                });
                break;
            case BlockDelta { Delta.Length: > 0 } delta when _textBlocks.Contains(delta.Index):
                Chunk(output, w => w.WriteString("content", delta.Delta));
                break;
            case BlockDelta { Delta.Length: > 0 } delta when _toolIndexOfBlock.TryGetValue(delta.Index, out var index):
                Chunk(output, w =>
                {
                    w.WriteStartArray("tool_calls");
                    w.WriteStartObject();
                    w.WriteNumber("index", index);
                    w.WriteStartObject("function");
                    w.WriteString("arguments", delta.Delta);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    w.WriteEndArray();
                });
                break;
            case MessageFinished finish:
                _finished = true;
                Chunk(output, null, OpenAiChatResponseCodec.FinishReasonOf(finish.Finish));
                if (includeUsage)
                {
                    UsageChunk(output, Merge(_startUsage, finish.Usage));
                }

                output.Write("data: [DONE]\n\n"u8);
                break;

            // Thinking blocks and their deltas, block stops: nothing to say in this API.
        }
    }

    /// <summary>Input tokens may come up front (Anthropic's message_start) and the rest at the end.</summary>
    private static Usage Merge(Usage start, Usage end) => end with
    {
        InputTokens = end.InputTokens > 0 ? end.InputTokens : start.InputTokens,
        CachedInputTokens = end.CachedInputTokens ?? start.CachedInputTokens,
        CacheCreationTokens = end.CacheCreationTokens ?? start.CacheCreationTokens,
    };

    private void Chunk(IBufferWriter<byte> output, Action<Utf8JsonWriter>? delta, string? finishReason = null)
    {
        _json.Clear();
        using (var writer = new Utf8JsonWriter(_json, OpenAiChatJson.Writer))
        {
            Header(writer);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            writer.WriteStartObject("delta");
            delta?.Invoke(writer);
            writer.WriteEndObject();
            writer.WriteNull("logprobs");
            if (finishReason is null)
            {
                writer.WriteNull("finish_reason");
            }
            else
            {
                writer.WriteString("finish_reason", finishReason);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
            if (includeUsage)
            {
                writer.WriteNull("usage"); // as OpenAI sends it: every chunk but the last has "usage": null
            }

            writer.WriteEndObject();
        }

        SseWriter.WriteData(output, _json.WrittenSpan);
    }

    private void UsageChunk(IBufferWriter<byte> output, Usage usage)
    {
        _json.Clear();
        using (var writer = new Utf8JsonWriter(_json, OpenAiChatJson.Writer))
        {
            Header(writer);
            writer.WriteStartArray("choices");
            writer.WriteEndArray();
            OpenAiChatResponseCodec.WriteUsage(writer, usage);
            writer.WriteEndObject();
        }

        SseWriter.WriteData(output, _json.WrittenSpan);
    }

    private void Header(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", _id);
        writer.WriteString("object", "chat.completion.chunk");
        writer.WriteNumber("created", created);
        writer.WriteString("model", model);
    }
}
