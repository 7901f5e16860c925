using System.Text;
using ControlPlane.Gateway.Translation;

namespace ControlPlane.Gateway.Tests.Translation;

public sealed class SseParserTests
{
    [Fact]
    public void Feed_NamedEventsWithLfFraming_ComeOutWhole()
    {
        var events = Parse("event: message_start\ndata: {\"a\":1}\n\nevent: ping\ndata: {}\n\n");

        Assert.Equal([("message_start", "{\"a\":1}"), ("ping", "{}")], events);
    }

    [Fact]
    public void Feed_CrlfFramingAsGeminiSends_IsTheSameAsLf()
    {
        var events = Parse("data: {\"x\":1}\r\n\r\ndata: {\"x\":2}\r\n\r\n");

        Assert.Equal([(null, "{\"x\":1}"), (null, "{\"x\":2}")], events);
    }

    [Fact]
    public void Feed_SplitAtEveryByte_GivesTheSameEvents()
    {
        const string stream = "event: a\r\ndata: one\r\n\r\n: comment\n\ndata: two\ndata: lines\n\n";
        var parser = new SseParser();
        var events = new List<SseEvent>();
        foreach (var b in Encoding.UTF8.GetBytes(stream))
        {
            parser.Feed([b], events);
        }

        Assert.Equal([("a", "one"), (null, "two\nlines")], events.Select(e => (e.Name, Encoding.UTF8.GetString(e.Data.Span))));
        Assert.False(parser.HasPartial);
    }

    [Fact]
    public void Feed_CommentsIdsAndEmptyEvents_AreSkipped()
    {
        var events = Parse(": OPENROUTER PROCESSING\n\nid: 7\nretry: 10\n\nevent: only-a-name\n\ndata:no-space\n\n");

        Assert.Equal([(null, "no-space")], events);
    }

    [Fact]
    public void Feed_AnUnfinishedEvent_WaitsForItsBlankLine()
    {
        var parser = new SseParser();
        var events = new List<SseEvent>();

        parser.Feed("data: [DO"u8, events);
        Assert.Empty(events);
        Assert.True(parser.HasPartial);

        parser.Feed("NE]\n\n"u8, events);
        Assert.True(Assert.Single(events).DataIs("[DONE]"u8));
    }

    private static List<(string? Name, string Data)> Parse(string stream)
    {
        var parser = new SseParser();
        var events = new List<SseEvent>();
        parser.Feed(Encoding.UTF8.GetBytes(stream), events);
        return events.Select(e => (e.Name, Encoding.UTF8.GetString(e.Data.Span))).ToList();
    }
}
