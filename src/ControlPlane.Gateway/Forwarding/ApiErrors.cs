using ControlPlane.Gateway.Translation;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>Errors the gateway itself produces, written by the client's codec so SDKs raise their usual typed errors.</summary>
internal static class ApiErrors
{
    /// <summary>What a client's stream ends with when the upstream breaks off after content was sent.</summary>
    public static readonly ApiFault MidStreamFailure =
        new(502, FaultKind.Server, "The upstream provider failed mid-stream; the response is incomplete.", "upstream_stream_error");

    public static Task WriteAsync(HttpContext context, IClientCodec codec, ApiFault fault)
    {
        context.Response.StatusCode = fault.Status;
        context.Response.ContentType = "application/json";
        if (fault.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return context.Response.Body.WriteAsync(codec.EncodeError(fault), context.RequestAborted).AsTask();
    }

    public static ApiFault BadRequest(string message) => new(400, FaultKind.InvalidRequest, message);
}
