using System.Text.Json;
using ControlPlane.Simulator.Providers.Scripting;

namespace ControlPlane.Simulator.Tests.Providers.Scripting;

public sealed class ReplyScriptTests
{
    private static readonly HashSet<string> s_offered = ["Bash", "Read"];

    private static ReplyPlan Decide(string text, string? toolResult = null) =>
        ReplyScript.Decide(new ConversationTail(s_offered, text, toolResult));

    [Fact]
    public void Decide_NoDirective_Pong() => Assert.Equal(ReplyPlan.Pong, Decide("ping"));

    [Fact]
    public void Decide_DirectiveNamingOfferedTool_CallsItWithCompactArguments() =>
        Assert.Equal(
            new ReplyPlan.ToolCall("Bash", """{"command":"echo hi","description":"say hi"}"""),
            Decide("""please [[call:Bash { "command": "echo hi", "description": "say hi" } ]] now"""));

    [Fact]
    public void Decide_DirectiveWithoutArguments_CallsWithEmptyObject() =>
        Assert.Equal(new ReplyPlan.ToolCall("Read", "{}"), Decide("[[call:Read]]"));

    [Fact]
    public void Decide_ArgumentsContainingBrackets_ReadAsOneJsonValue() =>
        Assert.Equal(new ReplyPlan.ToolCall("Bash", """{"command":"echo ]] [[x"}"""), Decide("""[[call:Bash {"command":"echo ]] [[x"}]]"""));

    [Theory]
    [InlineData("[[call:Write {\"path\":\"a\"}]]")]
    [InlineData("[[call:Bash {\"command\": }]]")]
    [InlineData("[[call:Bash [1,2]]]")]
    [InlineData("[[call:Bash {\"command\":\"ls\"}")]
    public void Decide_DirectiveNotOfferedOrMalformed_Pong(string text) => Assert.Equal(ReplyPlan.Pong, Decide(text));

    [Fact]
    public void Decide_FirstUsableDirectiveWins() =>
        Assert.Equal(new ReplyPlan.ToolCall("Read", """{"p":1}"""), Decide("""[[call:Write {}]] [[call:Read {"p":1}]] [[call:Bash {}]]"""));

    [Fact]
    public void Decide_ToolResults_EchoFirst200CharactersEvenWithADirective()
    {
        var result = new string('x', 250);

        Assert.Equal(new ReplyPlan.Text("tool said: " + new string('x', 200)), Decide("[[call:Bash {}]]", result));
    }

    [Fact]
    public void Decide_EmptyToolResult_EchoesNothing() => Assert.Equal(new ReplyPlan.Text("tool said: "), Decide("", ""));

    [Fact]
    public void Halves_SplitsWithoutBreakingSurrogatePairs()
    {
        var pieces = ReplyScript.Halves("a😀b");

        Assert.Equal(2, pieces.Count);
        Assert.Equal("a😀b", string.Concat(pieces));
        Assert.All(pieces, p => Assert.False(char.IsHighSurrogate(p[^1])));
    }

    [Fact]
    public void Halves_JsonArguments_TwoPiecesThatOnlyParseJoined()
    {
        var pieces = ReplyScript.Halves("""{"command":"ls"}""");

        Assert.Equal(2, pieces.Count);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(pieces[0]));
        using var joined = JsonDocument.Parse(string.Concat(pieces));
        Assert.Equal("ls", joined.RootElement.GetProperty("command").GetString());
    }
}
