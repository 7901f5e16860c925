using System.Text;
using System.Text.Json;

namespace ControlPlane.Simulator.Providers.Scripting;

/// What the simulated model answers, decided from the end of the conversation.
internal abstract record ReplyPlan
{
    public static ReplyPlan Pong { get; } = new Text("pong");

    /// Plain text; "pong" unless the request carried tool results.
    public sealed record Text(string Value) : ReplyPlan;

    /// A call to an offered tool with these arguments (compact JSON object text).
    public sealed record ToolCall(string Name, string ArgumentsJson) : ReplyPlan;
}

/// The end of a conversation as every API has it: the tools the request offers, the text of the last user turn,
/// and the text of the tool results that turn carries (null when it carries none).
internal sealed record ConversationTail(IReadOnlySet<string> OfferedTools, string LastUserText, string? ToolResultText)
{
    public static ConversationTail Empty { get; } = new(new HashSet<string>(), "", null);
}

/// Scripted replies, so tests can drive a tool-using agent loop through any API:
/// tool results in the last user turn → "tool said: &lt;first 200 characters&gt;";
/// else a directive <c>[[call:Name {json}]]</c> in the last user turn naming an offered tool → a call to that tool;
/// else "pong". A directive naming a tool the request did not offer, or with arguments that are not a JSON
/// object, is ignored.
internal static class ReplyScript
{
    public const int EchoLength = 200;

    private const string Open = "[[call:";

    public static ReplyPlan Decide(ConversationTail tail)
    {
        if (tail.ToolResultText is { } result)
        {
            return new ReplyPlan.Text("tool said: " + Truncate(result, EchoLength));
        }

        foreach (var (name, arguments) in Directives(tail.LastUserText))
        {
            if (tail.OfferedTools.Contains(name))
            {
                return new ReplyPlan.ToolCall(name, arguments);
            }
        }

        return ReplyPlan.Pong;
    }

    /// Every well-formed directive in the text, in order: the tool name, then an optional JSON object, then "]]".
    public static IEnumerable<(string Name, string ArgumentsJson)> Directives(string text)
    {
        var at = 0;
        while ((at = text.IndexOf(Open, at, StringComparison.Ordinal)) >= 0)
        {
            at += Open.Length;
            var nameEnd = at;
            while (nameEnd < text.Length && !char.IsWhiteSpace(text[nameEnd]) && text[nameEnd] != ']' && text[nameEnd] != '{')
            {
                nameEnd++;
            }

            var name = text[at..nameEnd];
            if (name.Length > 0 && TryReadArguments(text, nameEnd, out var arguments, out var end))
            {
                at = end;
                yield return (name, arguments);
            }
        }
    }

    private static bool TryReadArguments(string text, int from, out string arguments, out int end)
    {
        arguments = "{}";
        end = from;
        var i = SkipSpace(text, from);
        if (i < text.Length && text[i] == '{')
        {
            var bytes = Encoding.UTF8.GetBytes(text[i..]);
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
            try
            {
                using var doc = JsonDocument.ParseValue(ref reader);
                arguments = JsonSerializer.Serialize(doc.RootElement);
                i += Encoding.UTF8.GetCharCount(bytes.AsSpan(0, (int)reader.BytesConsumed));
            }
            catch (JsonException)
            {
                return false;
            }

            i = SkipSpace(text, i);
        }

        if (!text.AsSpan(i).StartsWith("]]", StringComparison.Ordinal))
        {
            return false;
        }

        end = i + 2;
        return true;
    }

    private static int SkipSpace(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    /// At most n characters, never splitting a surrogate pair.
    public static string Truncate(string text, int n)
    {
        if (text.Length <= n)
        {
            return text;
        }

        return char.IsHighSurrogate(text[n - 1]) ? text[..(n - 1)] : text[..n];
    }

    /// Two non-empty halves (when the text has two characters or more), never splitting a surrogate pair,
    /// so streams always carry more than one delta.
    public static IReadOnlyList<string> Halves(string text)
    {
        if (text.Length < 2)
        {
            return [text];
        }

        var mid = text.Length / 2;
        if (char.IsHighSurrogate(text[mid - 1]))
        {
            mid = mid + 1 < text.Length ? mid + 1 : mid - 1;
        }

        return mid <= 0 || mid >= text.Length ? [text] : [text[..mid], text[mid..]];
    }
}
