using System.Text.Json;
using System.Text.Json.Nodes;

namespace ControlPlane.Simulator.Providers.Validation;

/// Why a request body is rejected, in the API's own words: message, and where the API has them, param, code
/// and google.rpc details. The wire format turns it into its error body with status 400.
internal sealed record RequestProblem(string Message, string? Param = null, string? Code = null, JsonArray? Details = null);

/// What a validator needs besides the body: the beta features the client switched on (Anthropic) and whether the
/// body is for an endpoint that takes no max_tokens (count_tokens).
internal sealed record ValidationContext(IReadOnlyList<string> Betas, bool CountTokens = false)
{
    public static ValidationContext Default { get; } = new([]);

    /// The model named in the path (Gemini), whose thinking rules apply; null where the body names it.
    public string? Model { get; init; }
}

/// Checks one API's request body as strictly as the real API does, so a request it would reject fails here too.
internal interface IRequestValidator
{
    RequestProblem? Validate(JsonElement body, ValidationContext context);
}

internal static class Json
{
    public static bool Has(JsonElement obj, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    public static bool IsObject(JsonElement e) => e.ValueKind == JsonValueKind.Object;

    public static bool IsString(JsonElement e) => e.ValueKind == JsonValueKind.String;

    public static bool IsInteger(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out _);

    public static string? String(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// The elements of an array property, or none when absent or not an array.
    public static IEnumerable<JsonElement> Items(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];

    /// "'a', 'b' and 'c'" lists as OpenAI words them: comma-separated with a final "and".
    public static string OxfordList(IReadOnlyList<string> values) => values.Count switch
    {
        0 => "",
        1 => $"'{values[0]}'",
        2 => $"'{values[0]}' and '{values[1]}'",
        _ => string.Join(", ", values.Take(values.Count - 1).Select(v => $"'{v}'")) + $", and '{values[^1]}'",
    };
}
