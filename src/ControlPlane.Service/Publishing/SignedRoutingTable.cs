using System.Text.Json;
using System.Text.Json.Serialization;

namespace ControlPlane.Service.Publishing;

/// <summary>
/// The outbox payload as MassTransit publishes it. Its converter writes the stored JSON verbatim, so the bytes on the
/// wire are exactly the bytes that were signed, whatever serializer settings the bus uses.
/// </summary>
[JsonConverter(typeof(SignedRoutingTableConverter))]
public sealed class SignedRoutingTable(string json)
{
    public string Json { get; } = json;
}

internal sealed class SignedRoutingTableConverter : JsonConverter<SignedRoutingTable>
{
    public override SignedRoutingTable Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return new SignedRoutingTable(document.RootElement.GetRawText());
    }

    public override void Write(Utf8JsonWriter writer, SignedRoutingTable value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Json, skipInputValidation: false);
}
