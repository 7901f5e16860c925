using System.Buffers;
using System.Net.Http.Headers;
using ControlPlane.Contracts.Providers;
using ControlPlane.Gateway.Translation;

namespace ControlPlane.Gateway.Forwarding;

internal enum AttemptKind
{
    /// <summary>The target produced an answer: held up to its first content, ready to relay.</summary>
    Answered,

    /// <summary>The target failed before any content: count it against the target, try the next one.</summary>
    Failed,

    /// <summary>The target called the request invalid (400, 404, 413, 422…): not the target's fault.</summary>
    Rejected,

    /// <summary>The client went away; nobody to answer and nothing to blame the target for.</summary>
    ClientLeft,
}

/// <summary>
/// What one upstream attempt came to. An answered attempt owns the upstream response (and, for a stream, what was
/// read of it while holding for the first content) until the relay has finished with it.
/// </summary>
internal sealed class AttemptResult : IDisposable
{
    private AttemptResult(AttemptKind kind, string outcome)
    {
        Kind = kind;
        Outcome = outcome;
    }

    public AttemptKind Kind { get; }

    /// <summary>The traffic-report outcome (<see cref="ControlPlane.Contracts.Outcomes"/> wire name).</summary>
    public string Outcome { get; }

    /// <summary>Time from sending to the response headers; null when none came.</summary>
    public TimeSpan? HeadersLatency { get; private init; }

    /// <summary>Time from sending until the answer was held and ready to relay (headers, plus the body or first content).</summary>
    public TimeSpan ReadyAfter { get; set; }

    /// <summary>The upstream's HTTP status, when it answered with one.</summary>
    public int? Status { get; private init; }

    /// <summary>The upstream's error, read into API-neutral terms (failed or rejected attempts).</summary>
    public ApiFault? Fault { get; private init; }

    /// <summary>The upstream's error body as it came (for relaying it untranslated to a client of the same API).</summary>
    public byte[] ErrorBody { get; private init; } = [];

    public MediaTypeHeaderValue? ErrorContentType { get; private init; }

    public HttpResponseMessage? Response { get; private init; }

    /// <summary>A streamed answer, held up to its first content.</summary>
    public HeldStream? Stream { get; private init; }

    /// <summary>A whole (non-streamed) answer as the upstream sent it.</summary>
    public byte[]? Body { get; private init; }

    /// <summary>The whole answer decoded; set with <see cref="Body"/>.</summary>
    public ChatResponse? Decoded { get; private init; }

    public static AttemptResult ClientLeft() => new(AttemptKind.ClientLeft, "client_cancelled");

    public static AttemptResult Failed(string outcome, TimeSpan? latency = null, int? status = null, ApiFault? fault = null,
        byte[]? errorBody = null, MediaTypeHeaderValue? contentType = null) =>
        new(AttemptKind.Failed, outcome)
        {
            HeadersLatency = latency, Status = status, Fault = fault, ErrorBody = errorBody ?? [], ErrorContentType = contentType,
        };

    public static AttemptResult Rejected(TimeSpan latency, int status, ApiFault fault, byte[] errorBody, HttpResponseMessage response) =>
        new(AttemptKind.Rejected, AttemptRecorder.ClientError)
        {
            HeadersLatency = latency, Status = status, Fault = fault, ErrorBody = errorBody,
            ErrorContentType = response.Content.Headers.ContentType, Response = response,
        };

    /// <summary>
    /// A rejection that is a refusal (<see cref="Refusals"/>): a context window too small or a content policy. Not the
    /// target's failure, and maybe not the client's mistake either: another target may serve the request.
    /// </summary>
    public static AttemptResult Refused(TimeSpan latency, int status, ApiFault fault, byte[] errorBody, HttpResponseMessage response,
        string refusal, ContextWindowNumbers? window) =>
        new(AttemptKind.Rejected, refusal)
        {
            HeadersLatency = latency, Status = status, Fault = fault, ErrorBody = errorBody,
            ErrorContentType = response.Content.Headers.ContentType, Response = response, Refusal = refusal, Window = window,
        };

    /// <summary>With a rate-limited failure: the provider's retry hint (<c>retry-after</c>, <c>retry-after-ms</c>, Google's RetryInfo).</summary>
    public TimeSpan? RetryAfterHint { get; private set; }

    public AttemptResult WithRetryHint(TimeSpan? hint)
    {
        RetryAfterHint = hint;
        return this;
    }

    /// <summary>With <see cref="AttemptKind.Rejected"/>: the refusal it is (<see cref="Refusals"/>); null for a plain rejection.</summary>
    public string? Refusal { get; private init; }

    /// <summary>With a context-window refusal: the request size and window the provider stated.</summary>
    public ContextWindowNumbers? Window { get; private init; }

    public static AttemptResult Streaming(TimeSpan latency, HttpResponseMessage response, HeldStream stream) =>
        new(AttemptKind.Answered, ControlPlane.Contracts.Outcomes.Success)
        {
            HeadersLatency = latency, Status = (int)response.StatusCode, Response = response, Stream = stream,
        };

    public static AttemptResult Whole(TimeSpan latency, HttpResponseMessage response, byte[] body, ChatResponse decoded) =>
        new(AttemptKind.Answered, ControlPlane.Contracts.Outcomes.Success)
        {
            HeadersLatency = latency, Status = (int)response.StatusCode, Response = response, Body = body, Decoded = decoded,
        };

    public void Dispose()
    {
        Stream?.Dispose();
        Response?.Dispose();
    }
}

/// <summary>
/// A provider stream read up to (and including) its first content-bearing event: the raw bytes so far (relayed as
/// they are when the client speaks the provider's API) and the same events decoded (for translation), plus the
/// parser and decoder to carry on with.
/// </summary>
internal sealed class HeldStream(Stream upstream, IStreamDecoder decoder) : IDisposable
{
    public Stream Upstream { get; } = upstream;

    public IStreamDecoder Decoder { get; } = decoder;

    public SseParser Parser { get; } = new();

    public ArrayBufferWriter<byte> RawBytes { get; } = new(4096);

    public List<StreamEvent> Events { get; } = [];

    /// <summary>The upstream closed while it was being held: everything is in <see cref="RawBytes"/> and <see cref="Events"/>.</summary>
    public bool Ended { get; set; }

    /// <summary>With <see cref="Ended"/>: whether it ended properly (its end marker came).</summary>
    public bool EndedProperly { get; set; }

    public void Dispose() => Upstream.Dispose();
}
