using System.Text.Json;
using ControlPlane.Simulator.Providers.Scripting;

namespace ControlPlane.Simulator.Tests.Providers.Scripting;

public sealed class ConversationTailsTests
{
    private static ConversationTail Read(Func<JsonElement, ConversationTail> reader, string json)
    {
        using var doc = JsonDocument.Parse(json);
        return reader(doc.RootElement);
    }

    [Fact]
    public void Anthropic_LastUserTextBlocksAndToolNames()
    {
        var tail = Read(ConversationTails.Anthropic, """
            {"tools":[{"name":"Bash","input_schema":{}},{"type":"web_search_20250305","name":"web_search"}],
             "messages":[{"role":"user","content":"old"},{"role":"assistant","content":"ok"},
                         {"role":"user","content":[{"type":"text","text":"a"},{"type":"image","source":{}},{"type":"text","text":"b"}]}]}
            """);

        Assert.Equal(["Bash", "web_search"], tail.OfferedTools.Order(StringComparer.Ordinal));
        Assert.Equal("a\nb", tail.LastUserText);
        Assert.Null(tail.ToolResultText);
    }

    [Theory]
    [InlineData("\"out\"", "out")]
    [InlineData("[{\"type\":\"text\",\"text\":\"one\"},{\"type\":\"text\",\"text\":\"two\"}]", "one\ntwo")]
    public void Anthropic_ToolResultContent_StringOrTextBlocks(string content, string expected) =>
        Assert.Equal(expected, Read(ConversationTails.Anthropic, $$"""{"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":{{content}}}]}]}""").ToolResultText);

    [Fact]
    public void OpenAi_TrailingToolMessages_EchoTheFirst()
    {
        var tail = Read(ConversationTails.OpenAi, """
            {"tools":[{"type":"function","function":{"name":"Bash"}}],
             "messages":[{"role":"user","content":"x"},{"role":"assistant","tool_calls":[]},
                         {"role":"tool","tool_call_id":"1","content":"first"},{"role":"tool","tool_call_id":"2","content":"second"}]}
            """);

        Assert.Equal(["Bash"], tail.OfferedTools);
        Assert.Equal("first", tail.ToolResultText);
    }

    [Fact]
    public void OpenAi_UserContentParts_JoinedText() =>
        Assert.Equal("a\nb", Read(ConversationTails.OpenAi, """{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}""").LastUserText);

    [Theory]
    [InlineData("{\"output\":\"a.txt\"}", "a.txt")]
    [InlineData("{\"result\":\"ok\",\"x\":1}", "ok")]
    [InlineData("{\"files\":[1,2]}", "{\"files\":[1,2]}")]
    public void Gemini_FunctionResponse_TextOfTheResponseObject(string response, string expected) =>
        Assert.Equal(expected, Read(ConversationTails.Gemini, $$$"""{"contents":[{"role":"user","parts":[{"functionResponse":{"name":"Bash","response":{{{response}}}}}]}]}""").ToolResultText);

    [Fact]
    public void Gemini_SnakeCaseToolsAndRolelessUserTurn()
    {
        var tail = Read(ConversationTails.Gemini, """{"tools":[{"function_declarations":[{"name":"Bash"}]}],"contents":[{"parts":[{"text":"go"}]}]}""");

        Assert.Equal(["Bash"], tail.OfferedTools);
        Assert.Equal("go", tail.LastUserText);
        Assert.Null(tail.ToolResultText);
    }
}
