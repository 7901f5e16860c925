using System.Buffers;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Anthropic;

/// <summary>
/// Writes one answer as the Messages event stream the official SDKs parse: <c>message_start</c>, per block
/// <c>content_block_start</c> / <c>content_block_delta</c>… / <c>content_block_stop</c>, then <c>message_delta</c> and
/// <c>message_stop</c>. Block indexes are renumbered 0, 1, 2… whatever the upstream numbered them. Reasoning is left
/// out: only Anthropic can sign a thinking block, a translated stream has no signature to give, and Anthropic refuses
/// an unsigned thinking block when the client (Claude Code does) sends the conversation back.
/// </summary>
internal sealed class AnthropicStreamEncoder(string model) : IStreamEncoder
{
    private readonly ArrayBufferWriter<byte> _json = new(512);
    private bool _started;
    private bool _finished;
    private int _nextIndex;
    private int? _openUpstreamIndex;
    private BlockKind _openKind;
    private int? _skippedIndex;

    public void Write(StreamEvent streamEvent, IBufferWriter<byte> output)
    {
        if (_finished)
        {
            return;
        }

        switch (streamEvent)
        {
            case MessageStarted started:
                if (!_started)
                {
                    Start(started.Id, started.Usage, output);
                }

                break;
            case BlockStarted { Kind: BlockKind.Thinking } thinking:
                _skippedIndex = thinking.Index;
                break;
            case BlockStarted block:
                EnsureStarted(output);
                CloseOpenBlock(output);
                Open(block, output);
                break;
            case BlockDelta delta:
                if (_openUpstreamIndex == delta.Index && delta.Delta.Length > 0)
                {
                    Delta(delta.Delta, output);
                }

                break;
            case BlockStopped stopped:
                if (_openUpstreamIndex == stopped.Index)
                {
                    CloseOpenBlock(output);
                }

                break;
            case MessageFinished finished:
                EnsureStarted(output);
                CloseOpenBlock(output);
                Finish(finished, output);
                _finished = true;
                break;
            case StreamFailed failed:
                AnthropicErrors.WriteStreamEvent(failed.Fault, output);
                _finished = true;
                break;
            default:
                break;
        }
    }

    private void EnsureStarted(IBufferWriter<byte> output)
    {
        if (!_started)
        {
            // The upstream said nothing up front (or its first chunk carried content): a message still has to open.
            Start("msg_" + Guid.NewGuid().ToString("N"), Usage.None, output);
        }
    }

    private void Start(string id, Usage usage, IBufferWriter<byte> output)
    {
        _started = true;
        Emit(output, "message_start"u8, writer =>
        {
            writer.WriteString("type"u8, "message_start"u8);
            writer.WriteStartObject("message"u8);
            writer.WriteString("id"u8, AnthropicWire.MessageId(id));
            writer.WriteString("type"u8, "message"u8);
            writer.WriteString("role"u8, "assistant"u8);
            writer.WriteString("model"u8, model);
            writer.WriteStartArray("content"u8);
            writer.WriteEndArray();
            writer.WriteNull("stop_reason"u8);
            writer.WriteNull("stop_sequence"u8);
            writer.WriteStartObject("usage"u8);
            AnthropicWire.WriteUsage(writer, usage);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }

    private void Open(BlockStarted block, IBufferWriter<byte> output)
    {
        _openUpstreamIndex = block.Index;
        _openKind = block.Kind;
        var index = _nextIndex;
        Emit(output, "content_block_start"u8, writer =>
        {
            writer.WriteString("type"u8, "content_block_start"u8);
            writer.WriteNumber("index"u8, index);
            writer.WriteStartObject("content_block"u8);
            switch (block.Kind)
            {
                case BlockKind.ToolCall:
                    writer.WriteString("type"u8, "tool_use"u8);
                    writer.WriteString("id"u8, block.ToolCallId ?? "toolu_" + index);
                    writer.WriteString("name"u8, block.ToolName ?? "");
                    writer.WriteStartObject("input"u8);
                    writer.WriteEndObject();
                    break;
                case BlockKind.Thinking:
                    writer.WriteString("type"u8, "thinking"u8);
                    writer.WriteString("thinking"u8, ""u8);
                    writer.WriteString("signature"u8, ""u8);
                    break;
                default:
                    writer.WriteString("type"u8, "text"u8);
                    writer.WriteString("text"u8, ""u8);
                    break;
            }

            writer.WriteEndObject();
        });
    }

    private void Delta(string delta, IBufferWriter<byte> output)
    {
        var index = _nextIndex;
        var kind = _openKind;
        Emit(output, "content_block_delta"u8, writer =>
        {
            writer.WriteString("type"u8, "content_block_delta"u8);
            writer.WriteNumber("index"u8, index);
            writer.WriteStartObject("delta"u8);
            switch (kind)
            {
                case BlockKind.ToolCall:
                    writer.WriteString("type"u8, "input_json_delta"u8);
                    writer.WriteString("partial_json"u8, delta);
                    break;
                case BlockKind.Thinking:
                    writer.WriteString("type"u8, "thinking_delta"u8);
                    writer.WriteString("thinking"u8, delta);
                    break;
                default:
                    writer.WriteString("type"u8, "text_delta"u8);
                    writer.WriteString("text"u8, delta);
                    break;
            }

            writer.WriteEndObject();
        });
    }

    private void CloseOpenBlock(IBufferWriter<byte> output)
    {
        if (_openUpstreamIndex is null)
        {
            return;
        }

        var index = _nextIndex;
        Emit(output, "content_block_stop"u8, writer =>
        {
            writer.WriteString("type"u8, "content_block_stop"u8);
            writer.WriteNumber("index"u8, index);
        });
        _openUpstreamIndex = null;
        _nextIndex++;
    }

    private void Finish(MessageFinished finished, IBufferWriter<byte> output)
    {
        Emit(output, "message_delta"u8, writer =>
        {
            writer.WriteString("type"u8, "message_delta"u8);
            writer.WriteStartObject("delta"u8);
            writer.WriteString("stop_reason"u8, AnthropicWire.StopReason(finished.Finish));
            if (finished.Finish == FinishReason.StopSequence && finished.StopSequence is { } stop)
            {
                writer.WriteString("stop_sequence"u8, stop);
            }
            else
            {
                writer.WriteNull("stop_sequence"u8);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("usage"u8);
            // The SDKs overwrite message_start's counts with any count present here, so only counts we know are written.
            if (finished.Usage.InputTokens > 0)
            {
                AnthropicWire.WriteUsage(writer, finished.Usage);
            }
            else
            {
                writer.WriteNumber("output_tokens"u8, finished.Usage.OutputTokens);
            }

            writer.WriteEndObject();
        });
        Emit(output, "message_stop"u8, writer => writer.WriteString("type"u8, "message_stop"u8));
    }

    private void Emit(IBufferWriter<byte> output, ReadOnlySpan<byte> name, Action<Utf8JsonWriter> body)
    {
        _json.Clear();
        using (var writer = new Utf8JsonWriter(_json, AnthropicWire.WriterOptions))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        SseWriter.Write(output, name, _json.WrittenSpan);
    }
}
