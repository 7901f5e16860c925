using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Contracts;

/// <summary>
/// The canonical JSON form that signatures cover (RFC 8785 style, restricted to integer numbers).
/// </summary>
/// <remarks>
/// <para>Rules (docs/protocol.md has the language-neutral version):</para>
/// <list type="bullet">
/// <item>No insignificant whitespace.</item>
/// <item>Object members sorted by name, comparing UTF-16 code units (ordinal); duplicate names are an error.</item>
/// <item>Arrays keep their order.</item>
/// <item>Strings: only <c>"</c>, <c>\</c> and U+0000–U+001F are escaped — <c>\b \t \n \f \r</c> by their short form,
/// the rest as <c>\u00xx</c> with lower-case hex; everything else (non-ASCII included) is written as UTF-8.</item>
/// <item>Numbers must be integers within ±(2^53 − 1), written in shortest decimal form (no fraction, no exponent).</item>
/// <item><c>true</c>, <c>false</c>, <c>null</c> as literals.</item>
/// </list>
/// <para>For our messages this is byte-for-byte what JavaScript's <c>JSON.stringify</c> produces for the parsed
/// message with its keys sorted recursively.</para>
/// </remarks>
public static class CanonicalJson
{
    /// <summary>The one top-level property the signature does not cover.</summary>
    public const string SignatureProperty = "signature";

    private const long MaxSafeInteger = (1L << 53) - 1;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Canonical UTF-8 bytes of any JSON document.</summary>
    /// <exception cref="CanonicalJsonException">Not JSON, or content canonical JSON does not allow.</exception>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json) => CanonicalizeCore(utf8Json, excludedTopLevelProperty: null);

    /// <summary>
    /// The bytes a <see cref="RoutingTableChanged"/> signature covers: the canonical JSON of the message as received
    /// without its top-level <c>signature</c> property. Unknown properties are covered too, so additive fields are
    /// protected and a newer publisher's message still verifies.
    /// </summary>
    /// <exception cref="CanonicalJsonException">Not a JSON object, or content canonical JSON does not allow.</exception>
    public static byte[] SigningInput(ReadOnlySpan<byte> messageUtf8Json) => CanonicalizeCore(messageUtf8Json, SignatureProperty);

    /// <summary>The bytes a signature covers, for a message in memory (serialized with <see cref="ContractsJson"/> first).</summary>
    public static byte[] SigningInput(RoutingTableChanged message) => SigningInput(ContractsJson.Serialize(message));

    /// <summary>
    /// Identity of a table's content: lowercase hex SHA-256 of <see cref="SigningInput(ReadOnlySpan{byte})"/>. Two
    /// messages with the same version and different hashes are two different tables; the signature itself is left
    /// out because ECDSA signatures differ on every signing of the same content.
    /// </summary>
    /// <exception cref="CanonicalJsonException">Not a JSON object, or content canonical JSON does not allow.</exception>
    public static string ContentHash(ReadOnlySpan<byte> messageUtf8Json) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(SigningInput(messageUtf8Json)));

    private static byte[] CanonicalizeCore(ReadOnlySpan<byte> utf8Json, string? excludedTopLevelProperty)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new CanonicalJsonException($"Not JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (excludedTopLevelProperty is not null && root.ValueKind != JsonValueKind.Object)
            {
                throw new CanonicalJsonException($"Expected a JSON object, found {root.ValueKind}.");
            }

            var sb = new StringBuilder(utf8Json.Length);
            try
            {
                Write(root, sb, excludedTopLevelProperty);
            }
            catch (InvalidOperationException e)
            {
                // An escaped lone surrogate ("\ud800") in a name or value cannot be transcoded.
                throw new CanonicalJsonException($"Invalid string: {e.Message}", e);
            }

            return Encoding.UTF8.GetBytes(sb.ToString());
        }
    }

    private static void Write(JsonElement element, StringBuilder sb, string? excluded)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<JsonProperty>();
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!names.Add(property.Name))
                    {
                        throw new CanonicalJsonException($"Duplicate property '{property.Name}'.");
                    }

                    if (!string.Equals(property.Name, excluded, StringComparison.Ordinal))
                    {
                        members.Add(property);
                    }
                }

                members.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                sb.Append('{');
                for (var i = 0; i < members.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    WriteString(members[i].Name, sb);
                    sb.Append(':');
                    Write(members[i].Value, sb, excluded: null);
                }

                sb.Append('}');
                break;

            case JsonValueKind.Array:
                sb.Append('[');
                var first = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    Write(item, sb, excluded: null);
                }

                sb.Append(']');
                break;

            case JsonValueKind.String:
                WriteString(element.GetString()!, sb);
                break;

            case JsonValueKind.Number:
                if (!element.TryGetInt64(out var integer) || integer > MaxSafeInteger || integer < -MaxSafeInteger)
                {
                    throw new CanonicalJsonException(
                        $"Only integers within ±(2^53 − 1) may be signed; found {element.GetRawText()}.");
                }

                sb.Append(integer.ToString(CultureInfo.InvariantCulture));
                break;

            case JsonValueKind.True:
                sb.Append("true");
                break;

            case JsonValueKind.False:
                sb.Append("false");
                break;

            case JsonValueKind.Null:
                sb.Append("null");
                break;

            default:
                throw new CanonicalJsonException($"Unexpected JSON value kind {element.ValueKind}.");
        }
    }

    private static void WriteString(string value, StringBuilder sb)
    {
        sb.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                    {
                        sb.Append(c).Append(value[++i]);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        // A lone surrogate has no UTF-8 form: the bytes signed would depend on the encoder.
                        throw new CanonicalJsonException("Strings must not contain unpaired surrogates.");
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}

/// <summary>The input cannot be put in canonical form (not JSON, a non-integer number, a duplicate key…).</summary>
public sealed class CanonicalJsonException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CanonicalJsonException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CanonicalJsonException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public CanonicalJsonException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
