using System.Text;
using System.Text.Json.Nodes;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;

namespace ControlPlane.Gateway.Tests.Translation.Anthropic;

/// <summary>What the client side decodes, the provider side writes back the same (and the other way round).</summary>
public sealed class AnthropicRoundTripTests
{
    private static readonly AnthropicCodec s_codec = new();

    [Fact]
    public void Request_ToolUseAndToolResult_SurviveDecodeThenEncode()
    {
        const string Messages = """
            [{"role":"user","content":[{"type":"text","text":"What's the weather in Paris and Rome?"}]},
             {"role":"assistant","content":[
               {"type":"thinking","thinking":"Two cities, two calls.","signature":"EqQBCgIYAhIM"},
               {"type":"text","text":"Checking both."},
               {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"city":"Paris","unit":"celsius"}},
               {"type":"tool_use","id":"toolu_01B","name":"get_weather","input":{"city":"Rome","unit":"celsius"}}]},
             {"role":"user","content":[
               {"type":"tool_result","tool_use_id":"toolu_01A","content":"18C, cloudy"},
               {"type":"tool_result","tool_use_id":"toolu_01B","content":[{"type":"text","text":"timeout"}],"is_error":true},
               {"type":"text","text":"Also: which is warmer?"}]}]
            """;
        var body = $$$"""
            {"model":"claude-sonnet-4-5","max_tokens":2048,"messages":{{{Messages}}},
             "tools":[{"name":"get_weather","description":"Current weather","input_schema":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["city"]}}],
             "tool_choice":{"type":"auto","disable_parallel_tool_use":true},"system":"Be brief.","stop_sequences":["###"],"temperature":0.5}
            """;

        var request = s_codec.DecodeRequest(Encoding.UTF8.GetBytes(body));
        var encoded = JsonNode.Parse(s_codec.EncodeRequest(request, "claude-sonnet-4-5").Body)!;

        var expectedMessages = JsonNode.Parse(Messages)!;
        // A one-text tool result is written in the short string form.
        expectedMessages[2]!["content"]![1]!["content"] = "timeout";
        Assert.True(JsonNode.DeepEquals(expectedMessages, encoded["messages"]), encoded["messages"]!.ToJsonString());
        var original = JsonNode.Parse(body)!;
        foreach (var field in new[] { "model", "max_tokens", "tools", "tool_choice", "system", "stop_sequences", "temperature" })
        {
            Assert.True(JsonNode.DeepEquals(original[field], encoded[field]), field);
        }
    }

    [Fact]
    public void Response_EncodeThenDecode_GivesTheSameAnswer()
    {
        var response = new ChatResponse(
            "msg_01",
            "client-model",
            [new ThinkingPart("hmm", "sig"), new TextPart("Calling."), new ToolCallPart("toolu_1", "f", """{"a":[1,2]}""")],
            FinishReason.ToolUse,
            null,
            new Usage(500, 40, 300, 100));

        var decoded = s_codec.DecodeResponse(s_codec.EncodeResponse(response, "client-model"));

        Assert.Equal(response.Content, decoded.Content);
        Assert.Equal((response.Id, response.Model, response.Finish, response.StopSequence, response.Usage), (decoded.Id, decoded.Model, decoded.Finish, decoded.StopSequence, decoded.Usage));
    }
}
