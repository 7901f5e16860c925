using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Responses;

/// <summary>
/// Turns one answer's internal events into Responses' typed stream events. Text blocks in a row share one message
/// item (one content part each); every tool call is a function_call item; thinking is not shown. Every event carries
/// an increasing <c>sequence_number</c>, and output items are appended in order, as the SDK's accumulator demands.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "The Utf8JsonWriter writes to a managed buffer and holds nothing to release.")]
internal sealed class ResponsesStreamEncoder : IStreamEncoder
{
    private readonly ChatRequest _request;
    private readonly TimeProvider _time;
    private readonly ResponseEcho _echo;
    private readonly ArrayBufferWriter<byte> _json = new(512);
    private readonly Utf8JsonWriter _writer;
    private readonly List<OutputItem> _items = [];
    private int _sequence;
    private bool _started;
    private bool _ended;
    private string _suffix = string.Empty;
    private string _id = string.Empty;
    private long _createdAt;
    private int _messages;

    // The open message item and its open content part (a text block), if any.
    private string? _messageId;
    private readonly List<string> _texts = [];
    private int? _textBlock;
    private readonly StringBuilder _text = new();

    // The open function call item, if any.
    private int? _callBlock;
    private string _callItemId = string.Empty;
    private string _callId = string.Empty;
    private string _callName = string.Empty;
    private readonly StringBuilder _arguments = new();

    public ResponsesStreamEncoder(ChatRequest request, TimeProvider time)
    {
        _request = request;
        _time = time;
        _echo = ResponseEcho.From(request);
        _writer = new Utf8JsonWriter(_json);
    }

    public void Write(StreamEvent streamEvent, IBufferWriter<byte> output)
    {
        if (_ended)
        {
            return;
        }

        switch (streamEvent)
        {
            case MessageStarted started:
                Start(started.Id, output);
                break;
            case BlockStarted block:
                Start(null, output);
                OpenBlock(block, output);
                break;
            case BlockDelta delta:
                Delta(delta, output);
                break;
            case BlockStopped stopped:
                CloseBlock(stopped.Index, output);
                break;
            case MessageFinished finished:
                Start(null, output);
                Finish(finished, output);
                break;
            case StreamFailed failed:
                _ended = true;
                _json.Clear();
                _writer.Reset(_json);
                ResponsesErrors.WriteStreamError(_writer, failed.Fault, _sequence++);
                _writer.Flush();
                SseWriter.Write(output, "error"u8, _json.WrittenSpan);
                break;
            default:
                break;
        }
    }

    /// <summary>response.created and response.in_progress, once; synthesized when MessageStarted never came.</summary>
    private void Start(string? providerId, IBufferWriter<byte> output)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _suffix = ResponsesIds.Suffix(providerId);
        _id = ResponsesIds.Response(_suffix);
        _createdAt = _time.GetUtcNow().ToUnixTimeSeconds();
        foreach (var type in (ReadOnlySpan<string>)["response.created", "response.in_progress"])
        {
            var w = Begin(type);
            w.WritePropertyName("response");
            ResponsesOutput.WriteResponse(w, _id, _createdAt, _request.Model, null, [], null, _echo);
            End(type, output);
        }
    }

    private void OpenBlock(BlockStarted block, IBufferWriter<byte> output)
    {
        switch (block.Kind)
        {
            case BlockKind.Text:
                CloseCall(output);
                CloseTextPart(output);
                if (_messageId is null)
                {
                    _messageId = ResponsesIds.Message(_suffix, _messages++);
                    var added = Begin("response.output_item.added");
                    added.WriteNumber("output_index", _items.Count);
                    added.WritePropertyName("item");
                    ResponsesOutput.WriteItem(added, new MessageItem(_messageId, []), "in_progress");
                    End("response.output_item.added", output);
                }

                _textBlock = block.Index;
                var part = Begin("response.content_part.added");
                WriteTextPosition(part);
                part.WritePropertyName("part");
                ResponsesOutput.WriteOutputText(part, string.Empty);
                End("response.content_part.added", output);
                break;
            case BlockKind.ToolCall:
                CloseMessage(output);
                CloseCall(output);
                _callBlock = block.Index;
                _callId = block.ToolCallId ?? $"call_{_suffix}_{block.Index}";
                _callName = block.ToolName ?? string.Empty;
                _callItemId = ResponsesIds.FunctionCall(_callId);
                _arguments.Clear();
                var call = Begin("response.output_item.added");
                call.WriteNumber("output_index", _items.Count);
                call.WritePropertyName("item");
                ResponsesOutput.WriteItem(call, new FunctionCallItem(_callItemId, _callId, _callName, string.Empty), "in_progress");
                End("response.output_item.added", output);
                break;
            default:
                break; // thinking: Responses shows reasoning only as OpenAI's own items
        }
    }

    private void Delta(BlockDelta delta, IBufferWriter<byte> output)
    {
        if (delta.Index == _textBlock)
        {
            _text.Append(delta.Delta);
            var w = Begin("response.output_text.delta");
            WriteTextPosition(w);
            w.WriteString("delta", delta.Delta);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
            End("response.output_text.delta", output);
        }
        else if (delta.Index == _callBlock)
        {
            _arguments.Append(delta.Delta);
            var w = Begin("response.function_call_arguments.delta");
            w.WriteString("item_id", _callItemId);
            w.WriteNumber("output_index", _items.Count);
            w.WriteString("delta", delta.Delta);
            End("response.function_call_arguments.delta", output);
        }
    }

    private void CloseBlock(int index, IBufferWriter<byte> output)
    {
        if (index == _textBlock)
        {
            CloseTextPart(output); // the message stays open: the next text block becomes its next content part
        }
        else if (index == _callBlock)
        {
            CloseCall(output);
        }
    }

    private void Finish(MessageFinished finished, IBufferWriter<byte> output)
    {
        CloseMessage(output);
        CloseCall(output);
        _ended = true;
        var type = ResponsesOutput.StatusOf(finished.Finish) == "completed" ? "response.completed" : "response.incomplete";
        var w = Begin(type);
        w.WritePropertyName("response");
        ResponsesOutput.WriteResponse(w, _id, _createdAt, _request.Model, finished.Finish, _items, finished.Usage, _echo);
        End(type, output);
    }

    private void CloseTextPart(IBufferWriter<byte> output)
    {
        if (_textBlock is null)
        {
            return;
        }

        var text = _text.ToString();
        var done = Begin("response.output_text.done");
        WriteTextPosition(done);
        done.WriteString("text", text);
        done.WriteStartArray("logprobs");
        done.WriteEndArray();
        End("response.output_text.done", output);

        var part = Begin("response.content_part.done");
        WriteTextPosition(part);
        part.WritePropertyName("part");
        ResponsesOutput.WriteOutputText(part, text);
        End("response.content_part.done", output);

        _texts.Add(text);
        _text.Clear();
        _textBlock = null;
    }

    private void CloseMessage(IBufferWriter<byte> output)
    {
        CloseTextPart(output);
        if (_messageId is null)
        {
            return;
        }

        var item = new MessageItem(_messageId, _texts.ToArray());
        var w = Begin("response.output_item.done");
        w.WriteNumber("output_index", _items.Count);
        w.WritePropertyName("item");
        ResponsesOutput.WriteItem(w, item, "completed");
        End("response.output_item.done", output);
        _items.Add(item);
        _texts.Clear();
        _messageId = null;
    }

    private void CloseCall(IBufferWriter<byte> output)
    {
        if (_callBlock is null)
        {
            return;
        }

        var arguments = _arguments.ToString();
        var done = Begin("response.function_call_arguments.done");
        done.WriteString("item_id", _callItemId);
        done.WriteNumber("output_index", _items.Count);
        done.WriteString("name", _callName);
        done.WriteString("arguments", arguments);
        End("response.function_call_arguments.done", output);

        var item = new FunctionCallItem(_callItemId, _callId, _callName, arguments);
        var w = Begin("response.output_item.done");
        w.WriteNumber("output_index", _items.Count);
        w.WritePropertyName("item");
        ResponsesOutput.WriteItem(w, item, "completed");
        End("response.output_item.done", output);
        _items.Add(item);
        _callBlock = null;
    }

    /// <summary>item_id, output_index and content_index of the open text part (the open message is the next output).</summary>
    private void WriteTextPosition(Utf8JsonWriter writer)
    {
        writer.WriteString("item_id", _messageId);
        writer.WriteNumber("output_index", _items.Count);
        writer.WriteNumber("content_index", _texts.Count);
    }

    private Utf8JsonWriter Begin(string type)
    {
        _json.Clear();
        _writer.Reset(_json);
        _writer.WriteStartObject();
        _writer.WriteString("type", type);
        return _writer;
    }

    private void End(string type, IBufferWriter<byte> output)
    {
        _writer.WriteNumber("sequence_number", _sequence++);
        _writer.WriteEndObject();
        _writer.Flush();
        Span<byte> name = stackalloc byte[64];
        var length = Encoding.UTF8.GetBytes(type, name);
        SseWriter.Write(output, name[..length], _json.WrittenSpan);
    }
}
