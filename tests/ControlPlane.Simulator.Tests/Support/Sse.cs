using System.Text.Json.Nodes;

namespace ControlPlane.Simulator.Tests.Support;

internal sealed record SseFrame(string? Event, string Data)
{
    public JsonNode Json => JsonNode.Parse(Data)!;
}

/// A deliberately strict SSE reader: frames end at a blank line, fields are "event:" and "data:" (CRLF or LF).
internal static class Sse
{
    public static async Task<List<SseFrame>> ReadAllAsync(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        return Parse(text);
    }

    public static List<SseFrame> Parse(string text)
    {
        var frames = new List<SseFrame>();
        foreach (var block in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new List<string>();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line["data: ".Length..]);
                }
                else
                {
                    Assert.Fail($"Unexpected SSE line: '{line}'");
                }
            }

            frames.Add(new SseFrame(name, string.Join("\n", data)));
        }

        return frames;
    }
}
