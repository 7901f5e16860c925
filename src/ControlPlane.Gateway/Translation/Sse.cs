using System.Buffers;
using System.Text;

namespace ControlPlane.Gateway.Translation;

/// <summary>One server-sent event: its <c>event:</c> name (null when absent) and its data (lines joined by LF).</summary>
internal readonly record struct SseEvent(string? Name, ReadOnlyMemory<byte> Data)
{
    public bool DataIs(ReadOnlySpan<byte> value) => Data.Span.SequenceEqual(value);

    public override string ToString() => $"{Name}: {Encoding.UTF8.GetString(Data.Span)}";
}

/// <summary>
/// An incremental server-sent-events parser (WHATWG rules, LF or CRLF line ends): bytes go in as they arrive, complete
/// events come out. Comments and <c>id:</c>/<c>retry:</c> fields are skipped; several <c>data:</c> lines are joined.
/// </summary>
internal sealed class SseParser
{
    private readonly ArrayBufferWriter<byte> _line = new(256);
    private readonly ArrayBufferWriter<byte> _data = new(1024);
    private string? _name;
    private bool _hasData;
    private bool _lastWasCr;

    /// <summary>Bytes held in an unfinished line or event.</summary>
    public bool HasPartial => _line.WrittenCount > 0 || _hasData || _name is not null;

    /// <summary>Feeds bytes; appends every event they complete to <paramref name="events"/>.</summary>
    public void Feed(ReadOnlySpan<byte> bytes, List<SseEvent> events)
    {
        while (!bytes.IsEmpty)
        {
            if (_lastWasCr && bytes[0] == (byte)'\n')
            {
                bytes = bytes[1..]; // the LF of a CRLF whose CR ended the previous line
                _lastWasCr = false;
                continue;
            }

            var end = bytes.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                _line.Write(bytes);
                return;
            }

            _line.Write(bytes[..end]);
            _lastWasCr = bytes[end] == (byte)'\r';
            bytes = bytes[(end + 1)..];
            Line(_line.WrittenSpan, events);
            _line.Clear();
        }
    }

    private void Line(ReadOnlySpan<byte> line, List<SseEvent> events)
    {
        if (line.IsEmpty)
        {
            if (_hasData)
            {
                events.Add(new SseEvent(_name, _data.WrittenSpan.ToArray()));
            }

            _data.Clear();
            _hasData = false;
            _name = null;
            return;
        }

        if (line[0] == (byte)':')
        {
            return; // comment (": ping", ": OPENROUTER PROCESSING"…)
        }

        var colon = line.IndexOf((byte)':');
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            if (_hasData)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _hasData = true;
        }
        else if (field.SequenceEqual("event"u8))
        {
            _name = Encoding.UTF8.GetString(value);
        }
    }
}

/// <summary>Writes server-sent events.</summary>
internal static class SseWriter
{
    /// <summary><c>event: name\ndata: json\n\n</c> (Anthropic and Responses framing).</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> json)
    {
        output.Write("event: "u8);
        output.Write(name);
        output.Write("\ndata: "u8);
        output.Write(json);
        output.Write("\n\n"u8);
    }

    /// <summary><c>data: json\n\n</c> (OpenAI Chat framing).</summary>
    public static void WriteData(IBufferWriter<byte> output, ReadOnlySpan<byte> json)
    {
        output.Write("data: "u8);
        output.Write(json);
        output.Write("\n\n"u8);
    }
}
