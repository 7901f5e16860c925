using System.Text.Json;
using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>Errors the gateway itself produces, each in the shape of the API the client speaks, so SDKs parse them.</summary>
internal enum GatewayError
{
    BadRequest,
    Unauthorized,
    NotFound,
    TooLarge,
    Unavailable,
    BadGateway,
    GatewayTimeout,
}

internal static class ApiErrors
{
    public static int StatusOf(GatewayError error) => error switch
    {
        GatewayError.BadRequest => 400,
        GatewayError.Unauthorized => 401,
        GatewayError.NotFound => 404,
        GatewayError.TooLarge => 413,
        GatewayError.Unavailable => 503,
        GatewayError.BadGateway => 502,
        _ => 504,
    };

    public static Task WriteAsync(HttpContext context, ApiFormat format, GatewayError error, string message)
    {
        context.Response.StatusCode = StatusOf(error);
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(Body(format, error, message), context.RequestAborted).AsTask();
    }

    public static byte[] Body(ApiFormat format, GatewayError error, string message)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (format == ApiFormat.AnthropicMessages)
            {
                json.WriteString("type", "error");
                json.WriteStartObject("error");
                json.WriteString("type", AnthropicType(error));
                json.WriteString("message", message);
                json.WriteEndObject();
            }
            else
            {
                WriteOpenAiError(json, OpenAiType(error), OpenAiCode(error), message);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The event that ends a stream the upstream broke off: Anthropic's <c>event: error</c>, or OpenAI's
    /// <c>data: {"error":…}</c> (what OpenAI itself sends, and what the official SDKs raise as an APIError).
    /// </summary>
    public static byte[] StreamErrorEvent(ApiFormat format, string message)
    {
        using var buffer = new MemoryStream();
        if (format == ApiFormat.AnthropicMessages)
        {
            buffer.Write("event: error\ndata: "u8);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("type", "error");
                json.WriteStartObject("error");
                json.WriteString("type", "api_error");
                json.WriteString("message", message);
                json.WriteEndObject();
                json.WriteEndObject();
            }
        }
        else
        {
            buffer.Write("data: "u8);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                WriteOpenAiError(json, "server_error", "upstream_stream_error", message);
                json.WriteEndObject();
            }
        }

        buffer.Write("\n\n"u8);
        return buffer.ToArray();
    }

    private static void WriteOpenAiError(Utf8JsonWriter json, string type, string? code, string message)
    {
        json.WriteStartObject("error");
        json.WriteString("message", message);
        json.WriteString("type", type);
        json.WriteNull("param");
        if (code is null)
        {
            json.WriteNull("code");
        }
        else
        {
            json.WriteString("code", code);
        }

        json.WriteEndObject();
    }

    private static string AnthropicType(GatewayError error) => error switch
    {
        GatewayError.BadRequest => "invalid_request_error",
        GatewayError.Unauthorized => "authentication_error",
        GatewayError.NotFound => "not_found_error",
        GatewayError.TooLarge => "request_too_large",
        GatewayError.Unavailable => "overloaded_error",
        GatewayError.GatewayTimeout => "timeout_error",
        _ => "api_error",
    };

    private static string OpenAiType(GatewayError error) => error switch
    {
        GatewayError.BadRequest or GatewayError.NotFound or GatewayError.TooLarge => "invalid_request_error",
        GatewayError.Unauthorized => "authentication_error",
        _ => "server_error",
    };

    private static string? OpenAiCode(GatewayError error) => error switch
    {
        GatewayError.NotFound => "model_not_found",
        GatewayError.Unauthorized => "invalid_api_key",
        GatewayError.Unavailable => "route_unavailable",
        GatewayError.BadGateway => "upstream_failed",
        GatewayError.GatewayTimeout => "upstream_timeout",
        _ => null,
    };
}
