using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlPlane.Contracts;

/// <summary>
/// Source-generated System.Text.Json metadata for every message: camelCase properties, nulls written,
/// nullable annotations and <c>required</c> members enforced on read, unknown properties ignored (additive changes).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    Converters = [typeof(UtcRoundTripDateTimeOffsetConverter)])]
[JsonSerializable(typeof(RoutingTableChanged))]
[JsonSerializable(typeof(RoutingTable))]
[JsonSerializable(typeof(SubscriberStatus))]
[JsonSerializable(typeof(TrafficReport))]
[JsonSerializable(typeof(TargetOverlay))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;

/// <summary>
/// Writes every <see cref="DateTimeOffset"/> as UTC in the round-trip "O" format (<c>2025-06-01T12:00:00.0000000Z</c>)
/// so the text — which is signed — does not depend on the issuer's time zone. Reads any ISO-8601 form.
/// </summary>
public sealed class UtcRoundTripDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc />
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value)
            ? value
            : throw new JsonException($"Not an ISO-8601 date and time: '{text}'.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
}

/// <summary>Serialization helpers bound to <see cref="ContractsJsonContext"/>: the only way messages should hit the wire.</summary>
public static class ContractsJson
{
    /// <summary>UTF-8 JSON of a message, exactly as published.</summary>
    public static byte[] Serialize(RoutingTableChanged message) =>
        JsonSerializer.SerializeToUtf8Bytes(message, ContractsJsonContext.Default.RoutingTableChanged);

    /// <summary>UTF-8 JSON of a status report.</summary>
    public static byte[] Serialize(SubscriberStatus status) =>
        JsonSerializer.SerializeToUtf8Bytes(status, ContractsJsonContext.Default.SubscriberStatus);

    /// <summary>UTF-8 JSON of a traffic report.</summary>
    public static byte[] Serialize(TrafficReport report) =>
        JsonSerializer.SerializeToUtf8Bytes(report, ContractsJsonContext.Default.TrafficReport);

    /// <summary>UTF-8 JSON of an overlay, as it stands inside a table.</summary>
    public static byte[] Serialize(TargetOverlay overlay) =>
        JsonSerializer.SerializeToUtf8Bytes(overlay, ContractsJsonContext.Default.TargetOverlay);

    /// <summary>Reads a <see cref="RoutingTableChanged"/>; throws <see cref="JsonException"/> when malformed.</summary>
    public static RoutingTableChanged DeserializeRoutingTableChanged(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, ContractsJsonContext.Default.RoutingTableChanged)
        ?? throw new JsonException("null is not a RoutingTableChanged.");

    /// <summary>Reads a <see cref="SubscriberStatus"/>; throws <see cref="JsonException"/> when malformed.</summary>
    public static SubscriberStatus DeserializeSubscriberStatus(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, ContractsJsonContext.Default.SubscriberStatus)
        ?? throw new JsonException("null is not a SubscriberStatus.");

    /// <summary>Reads a <see cref="TrafficReport"/>; throws <see cref="JsonException"/> when malformed.</summary>
    public static TrafficReport DeserializeTrafficReport(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, ContractsJsonContext.Default.TrafficReport)
        ?? throw new JsonException("null is not a TrafficReport.");
}
