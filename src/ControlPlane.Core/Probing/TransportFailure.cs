namespace ControlPlane.Core.Probing;

/// <summary>Why no HTTP response arrived. Every value classifies as <see cref="ProbeOutcome.ConnectFailure"/>.</summary>
public enum TransportFailure
{
    None = 0,
    ConnectionRefused,
    NameResolution,

    /// <summary>TLS handshake or certificate failure.</summary>
    SecureConnection,

    /// <summary>The connection was reset or closed before the response headers arrived.</summary>
    ConnectionReset,

    /// <summary>The TCP connect itself did not complete within the handler's connect timeout.</summary>
    ConnectTimeout,

    /// <summary>Something answered, but not with HTTP (wrong port, proxy garbage).</summary>
    InvalidResponse,

    Other,
}

/// <summary>How a 2xx streamed response went wrong after the headers.</summary>
public enum StreamFailure
{
    None = 0,

    /// <summary>The provider sent an error event (Anthropic <c>event: error</c>, an OpenAI/Google <c>{"error":…}</c> chunk).</summary>
    ErrorEvent,

    /// <summary>The body ended or the connection dropped before the provider's end-of-stream marker.</summary>
    BrokeOff,
}
