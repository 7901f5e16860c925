using System.Text;
using System.Text.Json;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Responses;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Translation.Responses;

public sealed class ResponsesRequestDecoderTests
{
    private static readonly ResponsesCodec Codec = new(new FakeTimeProvider());

    private static ChatRequest Decode(string json) => Codec.DecodeRequest(Encoding.UTF8.GetBytes(json));

    private static string Problem(string json) => Assert.Throws<InvalidRequestException>(() => Decode(json)).Message;

    [Fact]
    public void Decode_StringInput_IsOneUserMessage()
    {
        var request = Decode("""{"model":"gpt-5","input":"Hello","store":false}""");

        Assert.Equal("gpt-5", request.Model);
        var message = Assert.Single(request.Messages);
        Assert.Equal(ChatRole.User, message.Role);
        Assert.Equal(new ContentPart[] { new TextPart("Hello") }, message.Content);
        Assert.Empty(request.Dropped);
        Assert.Empty(request.NativeOnly);
    }

    [Fact]
    public void Decode_StoreAbsent_IsDroppedBecauseNothingIsStored()
    {
        Assert.Equal(["store"], Decode("""{"model":"m","input":"x"}""").Dropped);
    }

    [Fact]
    public void Decode_InstructionsAndSystemMessages_BecomeSystemInOrder()
    {
        var request = Decode("""
            {"model":"m","instructions":"Be brief.","store":false,"input":[
              {"role":"developer","content":"Use French."},
              {"type":"message","role":"system","content":[{"type":"input_text","text":"No emoji."}]},
              {"role":"user","content":"Bonjour"}]}
            """);

        Assert.Equal(["Be brief.", "Use French.", "No emoji."], request.System);
        Assert.Single(request.Messages);
    }

    [Fact]
    public void Decode_FunctionCallRoundTrip_BecomesToolCallThenToolResultFirstInItsUserTurn()
    {
        var request = Decode("""
            {"model":"m","store":false,"input":[
              {"role":"user","content":"Weather in Paris and Rome?"},
              {"type":"reasoning","id":"rs_1","summary":[]},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]},
              {"type":"function_call","id":"fc_1","call_id":"call_a","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call","id":"fc_2","call_id":"call_b","name":"get_weather","arguments":"{\"city\":\"Rome\"}"},
              {"role":"user","content":"Also, thanks!"},
              {"type":"function_call_output","call_id":"call_a","output":"18C"},
              {"type":"function_call_output","call_id":"call_b","output":[{"type":"input_text","text":"25C"}]}]}
            """);

        Assert.Equal(3, request.Messages.Count);
        Assert.Equal(ChatRole.Assistant, request.Messages[1].Role);
        Assert.Equal(
            new ContentPart[]
            {
                new TextPart("Checking."),
                new ToolCallPart("call_a", "get_weather", """{"city":"Paris"}"""),
                new ToolCallPart("call_b", "get_weather", """{"city":"Rome"}"""),
            },
            request.Messages[1].Content);
        Assert.Equal(ChatRole.User, request.Messages[2].Role);
        var content = request.Messages[2].Content;
        Assert.Equal(3, content.Count);
        Assert.Equal("call_a", Assert.IsType<ToolResultPart>(content[0]).ToolCallId);
        Assert.Equal(new ContentPart[] { new TextPart("18C") }, ((ToolResultPart)content[0]).Content);
        Assert.Equal("call_b", Assert.IsType<ToolResultPart>(content[1]).ToolCallId);
        Assert.Equal(new ContentPart[] { new TextPart("25C") }, ((ToolResultPart)content[1]).Content);
        Assert.Equal(new TextPart("Also, thanks!"), content[2]);
        Assert.Contains("reasoning_items", request.Dropped);
    }

    [Fact]
    public void Decode_EmptyToolOutput_KeepsEmptyContent()
    {
        var request = Decode("""
            {"model":"m","store":false,"input":[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"},
             {"type":"function_call_output","call_id":"c","output":""}]}
            """);

        var result = Assert.IsType<ToolResultPart>(Assert.Single(request.Messages[1].Content));
        Assert.Empty(result.Content);
        Assert.False(result.IsError);
    }

    [Fact]
    public void Decode_Images_ReadDataUrlsAsBase64AndKeepWebUrls()
    {
        var request = Decode("""
            {"model":"m","store":false,"input":[{"role":"user","content":[
              {"type":"input_text","text":"Compare"},
              {"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"auto"},
              {"type":"input_image","image_url":"https://example.com/cat.jpg","detail":"high"}]}]}
            """);

        Assert.Equal(
            new ContentPart[] { new TextPart("Compare"), new ImagePart("image/png", "iVBORw0KGgo=", null), new ImagePart(null, null, "https://example.com/cat.jpg") },
            request.Messages[0].Content);
        Assert.Equal(["image_detail"], request.Dropped);
    }

    [Fact]
    public void Decode_Options_MapToTheModel()
    {
        var request = Decode("""
            {"model":"m","input":"x","store":false,"stream":true,"max_output_tokens":500,"temperature":0.2,"top_p":0.8,
             "parallel_tool_calls":false,"tool_choice":{"type":"function","name":"get_weather"},"user":"u-1",
             "tools":[{"type":"function","name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{}},"strict":true}],
             "text":{"format":{"type":"json_schema","name":"w","schema":{"type":"object"},"strict":true},"verbosity":"low"},
             "reasoning":{"effort":"high","summary":"auto"}}
            """);

        Assert.True(request.Stream);
        Assert.True(request.StreamUsage);
        Assert.Equal(500, request.MaxTokens);
        Assert.Equal(0.2, request.Temperature);
        Assert.Equal(0.8, request.TopP);
        Assert.False(request.ParallelToolCalls);
        Assert.Equal(new ToolChoice(ToolChoiceKind.Tool, "get_weather"), request.ToolChoice);
        Assert.Equal("u-1", request.User);
        var tool = Assert.Single(request.Tools);
        Assert.Equal(("get_weather", "Weather"), (tool.Name, tool.Description));
        Assert.Equal("""{"type":"object","properties":{}}""", tool.Parameters!.Value.GetRawText());
        Assert.Equal(ResponseFormatKind.JsonSchema, request.ResponseFormat!.Kind);
        Assert.Equal("w", request.ResponseFormat.Name);
        Assert.True(request.ResponseFormat.Strict);
        Assert.Equal(new Reasoning("high", null), request.Reasoning);
        Assert.Equal(["tools.strict", "text.verbosity", "reasoning.summary"], request.Dropped);
    }

    [Theory]
    [InlineData("\"auto\"", "Auto")]
    [InlineData("\"none\"", "None")]
    [InlineData("\"required\"", "Required")]
    public void Decode_ToolChoiceString_MapsToKind(string choice, string kind)
    {
        Assert.Equal(Enum.Parse<ToolChoiceKind>(kind), Decode($$"""{"model":"m","input":"x","store":false,"tool_choice":{{choice}}}""").ToolChoice!.Kind);
    }

    [Fact]
    public void Decode_JsonObjectFormat_IsJsonObject()
    {
        Assert.Equal(ResponseFormatKind.JsonObject, Decode("""{"model":"m","input":"x","store":false,"text":{"format":{"type":"json_object"}}}""").ResponseFormat!.Kind);
    }

    [Fact]
    public void Decode_HostedToolsAndUnknownThings_AreNativeOnly()
    {
        var request = Decode("""
            {"model":"m","store":false,"input":[{"role":"user","content":[{"type":"input_file","file_id":"file-1"}]},{"type":"item_reference","id":"x"}],
             "tools":[{"type":"web_search"},{"type":"mcp","server_label":"s"}],"top_logprobs":3,"frobnicate":1}
            """);

        Assert.Equal(["input_file", "item:item_reference", "tool_type:web_search", "tool_type:mcp", "logprobs", "unknown_field:frobnicate"], request.NativeOnly);
    }

    [Fact]
    public void Decode_SafeToLeaveOutFields_AreDropped()
    {
        var request = Decode("""
            {"model":"m","input":"x","store":true,"metadata":{"a":"b"},"service_tier":"auto","truncation":"disabled","include":[],"prompt_cache_key":"k","safety_identifier":"s"}
            """);

        Assert.Equal(["metadata", "service_tier", "truncation", "include", "prompt_cache_key", "safety_identifier", "store"], request.Dropped);
    }

    [Theory]
    [InlineData("""{"model":"m","previous_response_id":"resp_1","input":"x"}""", "previous_response_id")]
    [InlineData("""{"model":"m","conversation":"conv_1","input":"x"}""", "conversation")]
    [InlineData("""{"model":"m","background":true,"input":"x"}""", "background")]
    [InlineData("""{"model":"m","prompt":{"id":"pmpt_1"}}""", "prompt")]
    public void Decode_StatefulFeatures_AreRejectedAsStateless(string json, string field)
    {
        var message = Problem(json);

        Assert.Contains("stateless", message, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", message, StringComparison.Ordinal);
        Assert.Contains("whole conversation", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_SeveralProblems_AreAllListed()
    {
        var message = Problem("""{"temperature":"hot","input":[{"role":"robot","content":"x"},{"type":"function_call","name":"f"}]}""");

        Assert.Contains("Invalid type for 'temperature': expected a decimal, but got a string instead.", message, StringComparison.Ordinal);
        Assert.Contains("Invalid value: 'robot' at 'input[0].role'", message, StringComparison.Ordinal);
        Assert.Contains("Missing required parameter: 'input[1].call_id'.", message, StringComparison.Ordinal);
        Assert.Contains("Missing required parameter: 'input[1].arguments'.", message, StringComparison.Ordinal);
        Assert.Contains("Missing required parameter: 'model'.", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{} {}")]
    public void Decode_NotJson_IsInvalid(string body)
    {
        Assert.Contains("could not parse the JSON body", Problem(body), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MissingInput_IsInvalid()
    {
        Assert.Equal("Missing required parameter: 'input'.", Problem("""{"model":"m"}"""));
    }

    [Fact]
    public void Decode_ToolParameters_OutliveTheRequestBuffer()
    {
        var request = Decode("""{"model":"m","input":"x","store":false,"tools":[{"type":"function","name":"f","parameters":{"type":"object"}}]}""");

        Assert.Equal(JsonValueKind.Object, request.Tools[0].Parameters!.Value.ValueKind);
    }
}
