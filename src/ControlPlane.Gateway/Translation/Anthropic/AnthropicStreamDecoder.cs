using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Anthropic;

/// <summary>
/// Reads one Anthropic Messages event stream into internal events. Blocks we carry no meaning for
/// (<c>redacted_thinking</c>, server tool blocks) are skipped with their deltas, and the rest renumbered so the
/// indexes stay 0, 1, 2… without gaps.
/// </summary>
internal sealed class AnthropicStreamDecoder : IStreamDecoder
{
    private const int Skipped = -1;

    private readonly Dictionary<int, int> _indexes = [];
    private int _nextIndex;
    private int? _open;
    private int _inputTokens;
    private int _outputTokens;
    private int? _cacheRead;
    private int? _cacheCreation;
    private FinishReason? _finish;
    private string? _stopSequence;
    private bool _stopped;

    public void Decode(SseEvent sseEvent, List<StreamEvent> output)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(sseEvent.Data.Span);
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new MalformedResponseException($"Anthropic stream event '{sseEvent.Name}' is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var data = document.RootElement;
            if (data.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedResponseException($"Anthropic stream event '{sseEvent.Name}' is not a JSON object.");
            }

            var type = sseEvent.Name ?? (data.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null);
            switch (type)
            {
                case "message_start":
                    MessageStart(data, output);
                    break;
                case "content_block_start":
                    BlockStart(data, output);
                    break;
                case "content_block_delta":
                    BlockDelta(data, output);
                    break;
                case "content_block_stop":
                    if (_indexes.TryGetValue(Index(data), out var stopped) && stopped != Skipped && _open == stopped)
                    {
                        output.Add(new BlockStopped(stopped));
                        _open = null;
                    }

                    break;
                case "message_delta":
                    MessageDelta(data);
                    break;
                case "message_stop":
                    Stop(output);
                    break;
                case "error":
                    output.Add(StreamFailed.FromProvider(AnthropicErrors.DecodeStreamError(sseEvent.Data.Span), sseEvent.Data.Span));
                    break;
                default:
                    break; // ping, and event types Anthropic may add later (its docs ask clients to ignore them)
            }
        }
    }

    public bool Complete(List<StreamEvent> output)
    {
        if (_stopped)
        {
            return true;
        }

        CloseOpen(output);
        return false;
    }

    private void MessageStart(JsonElement data, List<StreamEvent> output)
    {
        if (!data.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedResponseException("Anthropic message_start has no message.");
        }

        var id = message.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString()! : "";
        var model = message.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        if (message.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            ReadCounts(usage);
        }

        output.Add(new MessageStarted(id, model, CurrentUsage()));
    }

    private void BlockStart(JsonElement data, List<StreamEvent> output)
    {
        var upstream = Index(data);
        if (!data.TryGetProperty("content_block", out var block) || block.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedResponseException("Anthropic content_block_start has no content_block.");
        }

        var type = block.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        BlockKind? kind = type switch
        {
            "text" => BlockKind.Text,
            "tool_use" => BlockKind.ToolCall,
            "thinking" => BlockKind.Thinking,
            _ => null,
        };
        if (kind is null)
        {
            _indexes[upstream] = Skipped;
            return;
        }

        CloseOpen(output); // Anthropic closes every block itself; this only guards against a missing stop
        var index = _nextIndex++;
        _indexes[upstream] = index;
        _open = index;
        if (kind == BlockKind.ToolCall)
        {
            var id = block.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            var name = block.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            output.Add(new BlockStarted(index, BlockKind.ToolCall, id, name));
        }
        else
        {
            output.Add(new BlockStarted(index, kind.Value));
            // The start block normally carries empty text; anything in it is content all the same.
            var field = kind == BlockKind.Text ? "text" : "thinking";
            if (block.TryGetProperty(field, out var initial) && initial.ValueKind == JsonValueKind.String && initial.GetString() is { Length: > 0 } text)
            {
                output.Add(new BlockDelta(index, text));
            }
        }
    }

    private void BlockDelta(JsonElement data, List<StreamEvent> output)
    {
        // Only the open block takes deltas: our events promise one block at a time, and Anthropic never interleaves.
        if (!_indexes.TryGetValue(Index(data), out var index) || index == Skipped || index != _open)
        {
            return;
        }

        if (!data.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
        {
            throw new MalformedResponseException("Anthropic content_block_delta has no delta.");
        }

        var field = (delta.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null) switch
        {
            "text_delta" => "text",
            "input_json_delta" => "partial_json",
            "thinking_delta" => "thinking",
            _ => null, // signature_delta, citations_delta: nothing the other APIs can carry
        };
        if (field is not null && delta.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String &&
            value.GetString() is { Length: > 0 } text)
        {
            output.Add(new BlockDelta(index, text));
        }
    }

    private void MessageDelta(JsonElement data)
    {
        if (data.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
        {
            if (delta.TryGetProperty("stop_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
            {
                _finish = AnthropicWire.Finish(reason.GetString());
            }

            if (delta.TryGetProperty("stop_sequence", out var stop) && stop.ValueKind == JsonValueKind.String)
            {
                _stopSequence = stop.GetString();
            }
        }

        if (data.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            ReadCounts(usage);
        }
    }

    /// <summary>
    /// Takes the counts present in a usage object. They are cumulative, so a later count replaces an earlier one;
    /// message_delta always has output_tokens and, in newer API versions, the input counts too (null when unknown).
    /// </summary>
    private void ReadCounts(JsonElement usage)
    {
        _inputTokens = AnthropicWire.Count(usage, "input_tokens") ?? _inputTokens;
        _outputTokens = AnthropicWire.Count(usage, "output_tokens") ?? _outputTokens;
        _cacheRead = AnthropicWire.Count(usage, "cache_read_input_tokens") ?? _cacheRead;
        _cacheCreation = AnthropicWire.Count(usage, "cache_creation_input_tokens") ?? _cacheCreation;
    }

    private Usage CurrentUsage() =>
        new(_inputTokens + (_cacheRead ?? 0) + (_cacheCreation ?? 0), _outputTokens, _cacheRead, _cacheCreation);

    private void Stop(List<StreamEvent> output)
    {
        if (_stopped)
        {
            return;
        }

        CloseOpen(output);
        output.Add(new MessageFinished(_finish ?? FinishReason.EndTurn, _stopSequence, CurrentUsage()));
        _stopped = true;
    }

    private void CloseOpen(List<StreamEvent> output)
    {
        if (_open is { } open)
        {
            output.Add(new BlockStopped(open));
            _open = null;
        }
    }

    private static int Index(JsonElement data) =>
        data.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var n)
            ? n
            : throw new MalformedResponseException("Anthropic block event has no index.");
}
