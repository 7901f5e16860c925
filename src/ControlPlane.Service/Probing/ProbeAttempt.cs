using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Catalog;
using ControlPlane.Core.Probing;
using ControlPlane.Service.Probing.Clients;
using Polly.Timeout;

namespace ControlPlane.Service.Probing;

/// <summary>What one probe has seen so far. Filled in as it goes, so a timeout mid-stream still knows the status.</summary>
internal sealed class ProbeAttempt(long startedAt)
{
    public long StartedAt { get; } = startedAt;

    public int? HttpStatus { get; private set; }

    public TimeSpan? RetryAfter { get; set; }

    public string? ErrorBody { get; set; }

    public TimeSpan? TimeToFirstToken { get; private set; }

    public StreamFailure Stream { get; set; }

    public string? MalformedReason { get; set; }

    public bool TimedOut { get; private set; }

    public bool CredentialsUnavailable { get; private set; }

    /// <summary>Why the key could not be resolved; names the key source, never a value.</summary>
    public string? KeyProblem { get; private set; }

    public TransportFailure Transport { get; private set; }

    public string? ExceptionType { get; private set; }

    /// <summary>The tokens the answer reported so far (a broken stream keeps what it said before it broke).</summary>
    public ProbeUsage? Usage { get; set; }

    public void OnResponse(HttpResponseMessage response, DateTimeOffset now)
    {
        HttpStatus = (int)response.StatusCode;
        RetryAfter = Contracts.Providers.RetryAfter.Parse(First(response.Headers, "retry-after"), First(response.Headers, "retry-after-ms"), now);
    }

    public void OnFirstToken(TimeProvider time) => TimeToFirstToken ??= time.GetElapsedTime(StartedAt);

    /// <summary>Sorts an exception into timeout, missing key, transport failure (no response) or a broken body.</summary>
    public void OnException(Exception exception)
    {
        ExceptionType = exception.GetType().Name;
        if (Find<TimeoutRejectedException>(exception) is not null)
        {
            TimedOut = true;
            return;
        }

        if (Find<ProviderKeyUnavailableException>(exception) is { } keyProblem)
        {
            CredentialsUnavailable = true;
            KeyProblem = keyProblem.Message;
            return;
        }

        if (HttpStatus is not null)
        {
            // Headers arrived; the body or stream then failed. A cancellation here can only be our timeout,
            // because the caller's cancellation is rethrown before this point.
            if (Find<OperationCanceledException>(exception) is not null)
            {
                TimedOut = true;
            }
            else
            {
                Stream = StreamFailure.BrokeOff;
            }

            return;
        }

        Transport = TransportOf(exception);
        if (Transport == TransportFailure.None)
        {
            TimedOut = Find<OperationCanceledException>(exception) is not null;
            Transport = TimedOut ? TransportFailure.None : TransportFailure.Other;
        }
    }

    public ProbeObservation ToObservation(ProviderKind kind, TimeSpan latency, TimeSpan objective) => new()
    {
        Kind = kind,
        Latency = latency,
        LatencyObjective = objective,
        TimedOut = TimedOut,
        CredentialsUnavailable = CredentialsUnavailable,
        Transport = Transport,
        ExceptionType = ExceptionType,
        HttpStatus = HttpStatus,
        ErrorBody = ErrorBody,
        RetryAfter = RetryAfter,
        Stream = Stream,
        ContentReceived = TimeToFirstToken is not null,
        MalformedReason = MalformedReason,
    };

    private static TransportFailure TransportOf(Exception exception)
    {
        if (Find<SocketException>(exception) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => TransportFailure.ConnectionRefused,
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => TransportFailure.NameResolution,
                SocketError.TimedOut => TransportFailure.ConnectTimeout,
                SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => TransportFailure.ConnectionReset,
                _ => TransportFailure.Other,
            };
        }

        if (Find<AuthenticationException>(exception) is not null)
        {
            return TransportFailure.SecureConnection;
        }

        if (Find<HttpRequestException>(exception) is { } http)
        {
            return http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => TransportFailure.NameResolution,
                HttpRequestError.SecureConnectionError => TransportFailure.SecureConnection,
                HttpRequestError.ResponseEnded => TransportFailure.ConnectionReset,
                HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => TransportFailure.InvalidResponse,
                _ when Find<TimeoutException>(exception) is not null => TransportFailure.ConnectTimeout,
                _ => TransportFailure.Other,
            };
        }

        // SocketsHttpHandler reports its ConnectTimeout as a cancellation wrapping a TimeoutException.
        if (Find<TimeoutException>(exception) is not null)
        {
            return TransportFailure.ConnectTimeout;
        }

        return Find<IOException>(exception) is not null ? TransportFailure.ConnectionReset : TransportFailure.None;
    }

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T match)
            {
                return match;
            }
        }

        return null;
    }

    private static string? First(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
