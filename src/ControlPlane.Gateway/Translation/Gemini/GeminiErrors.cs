using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Gemini;

/// <summary>
/// Gemini's error shape, <c>{"error":{"code":429,"message":"…","status":"RESOURCE_EXHAUSTED","details":[…]}}</c>
/// (Google's RPC status names), as faults.
/// </summary>
internal static class GeminiErrors
{
    public static ApiFault Decode(int status, ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;

            // streamGenerateContent without alt=sse answers errors as a one-element array.
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.Object)
            {
                return FaultOf(error, status);
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, an empty body): the status alone says what happened.
        }

        return new ApiFault(status, ApiFault.KindOf(status), $"Gemini answered with HTTP {status}.");
    }

    /// <summary>A fault from an <c>error</c> object; <paramref name="status"/> is used when it carries no code.</summary>
    public static ApiFault FaultOf(JsonElement error, int status)
    {
        if (error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var n) && n >= 400)
        {
            status = n;
        }

        var message = GeminiAnswer.StringOf(error, "message") is { Length: > 0 } text ? text : $"Gemini answered with HTTP {status}.";
        var kind = GeminiAnswer.StringOf(error, "status") switch
        {
            "INVALID_ARGUMENT" or "FAILED_PRECONDITION" or "OUT_OF_RANGE" =>
                HasReason(error, "API_KEY_INVALID") ? FaultKind.Authentication : FaultKind.InvalidRequest,
            "UNAUTHENTICATED" => FaultKind.Authentication,
            "PERMISSION_DENIED" => FaultKind.Permission,
            "NOT_FOUND" => FaultKind.NotFound,
            "RESOURCE_EXHAUSTED" => FaultKind.RateLimited,
            "UNAVAILABLE" => FaultKind.Overloaded, // Gemini's "The model is overloaded. Please try again later."
            "DEADLINE_EXCEEDED" => FaultKind.Timeout,
            "INTERNAL" or "UNKNOWN" or "CANCELLED" or "ABORTED" => FaultKind.Server,
            _ => ApiFault.KindOf(status),
        };
        return new ApiFault(status, kind, message);
    }

    /// <summary>An invalid key is a 400 INVALID_ARGUMENT in Gemini, told apart only by its <c>ErrorInfo</c> reason.</summary>
    private static bool HasReason(JsonElement error, string reason)
    {
        if (!error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        foreach (var detail in details.EnumerateArray())
        {
            if (GeminiAnswer.StringOf(detail, "reason") == reason)
            {
                return true;
            }
        }

        return false;
    }
}
