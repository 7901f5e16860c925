using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;

namespace ControlPlane.Gateway.Tests.Translation.Anthropic;

public sealed class AnthropicResponseCodecTests
{
    private static readonly AnthropicCodec s_codec = new();

    private static string Encode(ChatResponse response) => Encoding.UTF8.GetString(s_codec.EncodeResponse(response, "client-model"));

    private static ChatResponse Decode(string json) => s_codec.DecodeResponse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Encode_TextAnswer_IsTheExactMessageShape()
    {
        var json = Encode(new ChatResponse("msg_01", "upstream-model", [new TextPart("Hello!")], FinishReason.EndTurn, null, new Usage(12, 5)));

        Assert.Equal(
            """{"id":"msg_01","type":"message","role":"assistant","model":"client-model","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":5}}""",
            json);
    }

    [Fact]
    public void Encode_EmptyContent_IsAnEmptyList()
    {
        var node = JsonNode.Parse(Encode(new ChatResponse("chatcmpl-9", "m", [], FinishReason.EndTurn, null, Usage.None)))!;

        Assert.Equal("[]", node["content"]!.ToJsonString());
        Assert.Equal("msg_chatcmpl-9", node["id"]!.GetValue<string>());
    }

    [Fact]
    public void Encode_ParallelToolCallsWithoutText()
    {
        var node = JsonNode.Parse(Encode(new ChatResponse("msg_1", "m",
            [new ToolCallPart("call_a", "weather", """{"city":"Paris"}"""), new ToolCallPart("call_b", "weather", """{"city":"Rome"}""")],
            FinishReason.ToolUse, null, new Usage(10, 20))))!;

        Assert.Equal(
            """[{"type":"tool_use","id":"call_a","name":"weather","input":{"city":"Paris"}},{"type":"tool_use","id":"call_b","name":"weather","input":{"city":"Rome"}}]""",
            node["content"]!.ToJsonString());
        Assert.Equal("tool_use", node["stop_reason"]!.GetValue<string>());
    }

    [Fact]
    public void Encode_ThinkingBlocks_KeepsTheSignedOneAndDropsTheUnsigned()
    {
        var node = JsonNode.Parse(Encode(new ChatResponse("msg_1", "m", [new ThinkingPart("hmm", "sig"), new ThinkingPart("other", null)], FinishReason.EndTurn, null, Usage.None)))!;

        Assert.Equal(
            """[{"type":"thinking","thinking":"hmm","signature":"sig"}]""",
            node["content"]!.ToJsonString());
    }

    [Theory]
    [InlineData("EndTurn", null, "end_turn", null)]
    [InlineData("MaxTokens", null, "max_tokens", null)]
    [InlineData("StopSequence", "END", "stop_sequence", "END")]
    [InlineData("ToolUse", null, "tool_use", null)]
    [InlineData("Refusal", null, "refusal", null)]
    public void Encode_StopReasons(string finish, string? stop, string stopReason, string? stopSequence)
    {
        var node = JsonNode.Parse(Encode(new ChatResponse("msg_1", "m", [new TextPart("x")], Enum.Parse<FinishReason>(finish), stop, Usage.None)))!;

        Assert.Equal(stopReason, node["stop_reason"]!.GetValue<string>());
        Assert.Equal(stopSequence, node["stop_sequence"]?.GetValue<string>());
    }

    [Fact]
    public void Encode_CachedUsage_SplitsInputTheAnthropicWay()
    {
        var node = JsonNode.Parse(Encode(new ChatResponse("msg_1", "m", [], FinishReason.EndTurn, null, new Usage(1000, 50, CachedInputTokens: 800, CacheCreationTokens: 150))))!;

        Assert.Equal("""{"input_tokens":50,"cache_creation_input_tokens":150,"cache_read_input_tokens":800,"output_tokens":50}""", node["usage"]!.ToJsonString());
    }

    [Fact]
    public void Decode_RealAnswer_WithThinkingToolUseAndCachedUsage()
    {
        var response = Decode("""
            {"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",
             "content":[
               {"type":"thinking","thinking":"Let me check.","signature":"EqQBCgIYAh"},
               {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"},
               {"type":"text","text":"Checking the weather."},
               {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"San Francisco, CA"}}],
             "stop_reason":"tool_use","stop_sequence":null,
             "usage":{"input_tokens":25,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":60,"service_tier":"standard"}}
            """);

        Assert.Equal("msg_01XFDUDYJgAACzvnptvVoYEL", response.Id);
        Assert.Equal("claude-sonnet-4-5-20250929", response.Model);
        Assert.Equal(FinishReason.ToolUse, response.Finish);
        Assert.Equal(
            [new ThinkingPart("Let me check.", "EqQBCgIYAh"), new TextPart("Checking the weather."), new ToolCallPart("toolu_01A09q90qw90lq917835lq9", "get_weather", """{"location":"San Francisco, CA"}""")],
            response.Content);
        Assert.Equal(new Usage(2125, 60, 2000, 100), response.Usage);
    }

    [Theory]
    [InlineData("end_turn", "EndTurn")]
    [InlineData("max_tokens", "MaxTokens")]
    [InlineData("stop_sequence", "StopSequence")]
    [InlineData("tool_use", "ToolUse")]
    [InlineData("refusal", "Refusal")]
    [InlineData("pause_turn", "EndTurn")]
    public void Decode_StopReasons(string stopReason, string finish)
    {
        var stopSequence = stopReason == "stop_sequence" ? "\"###\"" : "null";
        var response = Decode($$$"""{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":"{{{stopReason}}}","stop_sequence":{{{stopSequence}}},"usage":{"input_tokens":1,"output_tokens":2}}""");

        Assert.Equal(Enum.Parse<FinishReason>(finish), response.Finish);
        Assert.Equal(stopReason == "stop_sequence" ? "###" : null, response.StopSequence);
        Assert.Empty(response.Content);
        Assert.Equal(new Usage(1, 2), response.Usage);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"id":"msg_1","type":"message"}""")]
    [InlineData("""{"type":"message","content":[]}""")]
    [InlineData("""{"id":"msg_1","content":[{"type":"tool_use","name":"f","input":{}}]}""")]
    public void Decode_Malformed_Throws(string body)
    {
        Assert.Throws<MalformedResponseException>(() => Decode(body));
    }
}
