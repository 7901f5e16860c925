using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Caching;

/// <summary>
/// Which requests a route's cache may hold, and the key of one: the client's API, the route, what else shapes the
/// answer (query string, API version headers), the client key's SHA-256 unless the route shares answers across keys,
/// and the request body in canonical form — object members sorted, insignificant whitespace and string escapes
/// normalised, <c>model</c> replaced by the route (so an alias and the route id share entries). Pure.
/// </summary>
internal static class CacheKeys
{
    /// <summary>OpenAI and Anthropic both sample at 1 when a request names no temperature.</summary>
    public const double DefaultTemperature = 1;

    // Bumped when the canonical form changes, so no old entry can match a key computed another way.
    private static readonly byte[] Version = "cache-key-v1\n"u8.ToArray();

    private const int MaxDepth = 64;

    /// <summary>
    /// Whether a request may be cached under <paramref name="policy"/>: only a greedy one (<c>temperature: 0</c>, said
    /// explicitly) unless the route allows sampled answers. A repeat of a sampled request is a request for another
    /// sample; serving the first one again would quietly change what the client asked for.
    /// </summary>
    public static bool IsCacheable(ReadOnlySpan<byte> body, RouteCache policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.AllowTemperature || TemperatureOf(body) == 0;
    }

    /// <summary>The request's top-level <c>temperature</c>; <see cref="DefaultTemperature"/> when absent or null, NaN when not a number.</summary>
    public static double TemperatureOf(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return double.NaN;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTemperature = reader.ValueTextEquals("temperature"u8);
            reader.Read();
            if (isTemperature)
            {
                return reader.TokenType switch
                {
                    JsonTokenType.Null => DefaultTemperature,
                    JsonTokenType.Number => reader.GetDouble(),
                    _ => double.NaN,
                };
            }

            reader.Skip();
        }

        return DefaultTemperature;
    }

    /// <summary>The key of a request (lower-case hex SHA-256): never the client key itself, only its hash inside the hash.</summary>
    /// <param name="variant">Anything besides the body that shapes the answer (query string, API version headers).</param>
    /// <param name="clientKey">The key the client presented, or null; ignored when <paramref name="shareAcrossKeys"/>.</param>
    /// <exception cref="JsonException">The body is not JSON (the forwarder has checked it is).</exception>
    public static string For(ApiFormat format, string route, ReadOnlySpan<byte> body, string variant, string? clientKey, bool shareAcrossKeys)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(variant);
        var owner = shareAcrossKeys ? "*"
            : clientKey is null ? "-"
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientKey)));

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Version);
        // Length-prefixed, so no choice of route or variant text can shift bytes from one field into the next.
        foreach (var field in (ReadOnlySpan<string>)[format.ToString(), route, variant, owner])
        {
            var bytes = Encoding.UTF8.GetBytes(field);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }

        hash.AppendData(Canonical(body, route));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The body's canonical JSON with the top-level <c>model</c> set to <paramref name="route"/>.</summary>
    internal static byte[] Canonical(ReadOnlySpan<byte> body, string route)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        using var document = JsonDocument.ParseValue(ref reader);
        var output = new ArrayBufferWriter<byte>(body.Length + 16);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { MaxDepth = MaxDepth, SkipValidation = true }))
        {
            Write(writer, document.RootElement, route);
        }

        return output.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element, string? routeForModel)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                // Stable sort: duplicate names (which JSON allows) keep their order, so they still hash alike.
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    if (routeForModel is not null && property.NameEquals("model"u8))
                    {
                        writer.WriteStringValue(routeForModel);
                    }
                    else
                    {
                        Write(writer, property.Value, routeForModel: null);
                    }
                }

                writer.WriteEndObject();
                break;

            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item, routeForModel: null);
                }

                writer.WriteEndArray();
                break;

            case JsonValueKind.String:
                writer.WriteStringValue(element.GetString());
                break;

            default:
                // Numbers keep their text: 0 and 0.0 are different keys, a miss rather than a wrong answer.
                writer.WriteRawValue(element.GetRawText(), skipInputValidation: true);
                break;
        }
    }
}
