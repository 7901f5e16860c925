using System.Text;
using System.Text.Json;

namespace ControlPlane.Gateway.Translation.Gemini;

/// <summary>Reads a complete <c>generateContent</c> answer.</summary>
internal static class GeminiResponseDecoder
{
    public static ChatResponse Decode(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new MalformedResponseException($"The Gemini answer is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedResponseException("The Gemini answer is not a JSON object.");
            }

            var id = GeminiAnswer.StringOf(root, "responseId") ?? string.Empty;
            var model = GeminiAnswer.StringOf(root, "modelVersion") ?? string.Empty;
            var usage = GeminiAnswer.UsageOf(root);

            if (!GeminiAnswer.TryFirstCandidate(root, out var candidate))
            {
                if (GeminiAnswer.PromptBlocked(root))
                {
                    return new ChatResponse(id, model, [], FinishReason.Refusal, null, usage);
                }

                throw new MalformedResponseException("The Gemini answer has neither candidates nor a prompt block reason.");
            }

            var content = new List<ContentPart>();
            var text = new StringBuilder();
            var thought = new StringBuilder();
            var calls = 0;
            foreach (var part in GeminiAnswer.PartsOf(candidate))
            {
                if (part.TryGetProperty("functionCall", out var call) && call.ValueKind == JsonValueKind.Object)
                {
                    Flush(content, text, thought);
                    var name = GeminiAnswer.StringOf(call, "name")
                        ?? throw new MalformedResponseException("A Gemini functionCall part has no name.");
                    content.Add(new ToolCallPart(GeminiAnswer.CallId(call, id, calls++), name, GeminiAnswer.ArgumentsOf(call)));
                }
                else if (GeminiAnswer.StringOf(part, "text") is { Length: > 0 } piece)
                {
                    // Adjacent parts of one kind are one block: Gemini splits text at arbitrary points.
                    if (GeminiAnswer.IsThought(part))
                    {
                        if (text.Length > 0)
                        {
                            Flush(content, text, thought);
                        }

                        thought.Append(piece);
                    }
                    else
                    {
                        if (thought.Length > 0)
                        {
                            Flush(content, text, thought);
                        }

                        text.Append(piece);
                    }
                }
            }

            Flush(content, text, thought);
            var finish = GeminiAnswer.FinishOf(GeminiAnswer.StringOf(candidate, "finishReason"), calls > 0);
            return new ChatResponse(id, model, content, finish, null, usage);
        }
    }

    private static void Flush(List<ContentPart> content, StringBuilder text, StringBuilder thought)
    {
        if (thought.Length > 0)
        {
            content.Add(new ThinkingPart(thought.ToString(), null));
            thought.Clear();
        }

        if (text.Length > 0)
        {
            content.Add(new TextPart(text.ToString()));
            text.Clear();
        }
    }
}
