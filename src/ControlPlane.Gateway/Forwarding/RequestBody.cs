using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// The client's request body, buffered once, with the position of its top-level <c>model</c> value. The body is
/// forwarded byte for byte except that value, spliced per target: no parse-and-reserialize, so fields we do not
/// know (and their number formatting) reach the provider untouched.
/// </summary>
internal sealed class RequestBody
{
    private readonly byte[] _body;
    private readonly int _modelStart;
    private readonly int _modelLength;

    private RequestBody(byte[] body, string model, int modelStart, int modelLength, bool stream)
    {
        _body = body;
        Model = model;
        _modelStart = modelStart;
        _modelLength = modelLength;
        Stream = stream;
    }

    /// <summary>The route the client asked for.</summary>
    public string Model { get; }

    /// <summary>The client asked for a stream (<c>"stream": true</c>).</summary>
    public bool Stream { get; }

    /// <summary>The body as the client sent it.</summary>
    public ReadOnlySpan<byte> Bytes => _body;

    /// <summary>Reads the request body once, bounded; null when it is larger than <paramref name="limit"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                return null;
            }

            var exact = new byte[declared];
            await request.Body.ReadExactlyAsync(exact, cancellationToken);
            return exact;
        }

        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <returns>The request, or null with a client-facing reason.</returns>
    public static RequestBody? TryParse(byte[] body, out string? problem)
    {
        problem = null;
        string? model = null;
        int start = 0, length = 0;
        var stream = false;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "The request body must be a JSON object.";
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        problem = "'model' must be a string naming a route.";
                        return null;
                    }

                    model = reader.GetString();
                    start = (int)reader.TokenStartIndex;
                    length = (int)reader.BytesConsumed - start;
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                problem = "The request body is not valid JSON.";
                return null;
            }
        }
        catch (JsonException)
        {
            problem = "The request body is not valid JSON.";
            return null;
        }

        if (string.IsNullOrEmpty(model))
        {
            problem = "'model' is required: it names the route to use (GET /v1/models lists them).";
            return null;
        }

        return new RequestBody(body, model, start, length, stream);
    }

    /// <summary>The body with <c>model</c> set to the target's model name.</summary>
    public byte[] BodyFor(string model)
    {
        var encoded = JsonEncodedText.Encode(model);
        var value = Encoding.UTF8.GetBytes($"\"{encoded}\"");
        var result = new byte[_body.Length - _modelLength + value.Length];
        _body.AsSpan(0, _modelStart).CopyTo(result);
        value.CopyTo(result.AsSpan(_modelStart));
        _body.AsSpan(_modelStart + _modelLength).CopyTo(result.AsSpan(_modelStart + value.Length));
        return result;
    }
}
