using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway.Forwarding;

/// <summary>
/// The client's request body, buffered once, with the position of its top-level <c>model</c> value. The body is
/// forwarded byte for byte except that value, spliced per target: no parse-and-reserialize, so fields we do not
/// know (and their number formatting) reach the provider untouched.
/// </summary>
internal sealed class ChatRequest
{
    private readonly byte[] _body;
    private readonly int _modelStart;
    private readonly int _modelLength;

    private ChatRequest(byte[] body, string model, int modelStart, int modelLength, bool stream)
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

    /// <returns>The request, or null with a client-facing reason.</returns>
    public static ChatRequest? TryParse(byte[] body, out string? problem)
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

        return new ChatRequest(body, model, start, length, stream);
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
