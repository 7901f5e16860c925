using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlPlane.Simulator;

/// What a simulated provider does to the requests chaos applies to. Kebab-case on the wire.
[JsonConverter(typeof(ChaosModeJsonConverter))]
public enum ChaosMode
{
    Healthy,
    Refuse,
    ServerError,
    Overloaded,
    RateLimited,
    SpendCap,
    AuthFailure,
    BadRequest,
    Slow,
    Hang,
    StreamError,
    Malformed,
}

public static class ChaosModes
{
    private static readonly Dictionary<ChaosMode, string> s_names =
        Enum.GetValues<ChaosMode>().ToDictionary(m => m, m => JsonNamingPolicy.KebabCaseLower.ConvertName(m.ToString()));

    private static readonly Dictionary<string, ChaosMode> s_byName =
        s_names.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyCollection<string> Names => s_names.Values;

    public static string ToWireName(this ChaosMode mode) =>
        s_names.TryGetValue(mode, out var name) ? name : mode.ToString();

    public static bool TryParse(string? name, out ChaosMode mode) =>
        s_byName.TryGetValue(name ?? "", out mode);
}

/// Hand-written rather than JsonStringEnumConverter so an unknown mode gets a message naming the valid ones,
/// and numbers are rejected instead of silently mapping to whatever enum value has that index.
public sealed class ChaosModeJsonConverter : JsonConverter<ChaosMode>
{
    public override ChaosMode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"mode must be a string, one of: {string.Join(", ", ChaosModes.Names)}.");
        }

        var name = reader.GetString();
        return ChaosModes.TryParse(name, out var mode)
            ? mode
            : throw new JsonException($"'{name}' is not a chaos mode; use one of: {string.Join(", ", ChaosModes.Names)}.");
    }

    public override void Write(Utf8JsonWriter writer, ChaosMode value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToWireName());
}
