using System.Buffers;

namespace ControlPlane.Gateway.Caching;

/// <summary>
/// The client's response body with a copy kept on the side, up to a limit: what the client received, exactly, whatever
/// path (passthrough or translation, body or event stream) wrote it. Past the limit it stops copying and lets go of
/// the copy, so an answer too large to cache costs no more than the limit.
/// </summary>
internal sealed class AnswerCapture(Stream inner, int limit) : Stream
{
    private ArrayBufferWriter<byte>? _copy = new(Math.Min(limit, 16 * 1024));

    /// <summary>True when the answer outgrew the limit (nothing is kept then).</summary>
    public bool Overflowed => _copy is null;

    /// <summary>The bytes written so far; empty after an overflow.</summary>
    public ReadOnlyMemory<byte> Captured => _copy?.WrittenMemory ?? ReadOnlyMemory<byte>.Empty;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Keep(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_copy is null)
        {
            return;
        }

        if (_copy.WrittenCount + bytes.Length > limit)
        {
            _copy = null;
            return;
        }

        _copy.Write(bytes);
    }
}
