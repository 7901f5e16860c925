using System.Buffers;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Responses;

/// <summary>Writes a complete answer as a Response object.</summary>
internal static class ResponsesResponseEncoder
{
    public static byte[] Encode(ChatResponse response, string model, long createdAt)
    {
        var suffix = ResponsesIds.Suffix(response.Id);
        var items = new List<OutputItem>();
        List<string>? texts = null;
        foreach (var part in response.Content)
        {
            switch (part)
            {
                case TextPart text:
                    // Texts in a row are one message with several content parts, as the stream encoder makes them.
                    if (texts is null)
                    {
                        texts = [];
                        items.Add(new MessageItem(ResponsesIds.Message(suffix, items.OfType<MessageItem>().Count()), texts));
                    }

                    texts.Add(text.Text);
                    break;
                case ToolCallPart call:
                    texts = null;
                    items.Add(new FunctionCallItem(ResponsesIds.FunctionCall(call.Id), call.Id, call.Name, call.Arguments));
                    break;
                default:
                    break; // thinking is not shown (see docs/translation/responses.md); images have no output item
            }
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ResponsesOutput.WriteResponse(
                writer, ResponsesIds.Response(suffix), createdAt, model, response.Finish, items, response.Usage, ResponseEcho.Default);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
