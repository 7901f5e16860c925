using System.Text.Json;
using ControlPlane.Simulator.Providers.Validation;

namespace ControlPlane.Simulator.Tests.Providers.Validation;

public sealed class OpenAiRequestValidatorTests
{
    private const string User = """{"role":"user","content":"hi"}""";
    private const string Calls = """{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"Bash","arguments":"{}"}},{"id":"call_2","type":"function","function":{"name":"Read","arguments":"{}"}}]}""";

    private static RequestProblem? Validate(string json, OpenAiRequestValidator? validator = null)
    {
        using var doc = JsonDocument.Parse(json);
        return (validator ?? OpenAiRequestValidator.OpenAi).Validate(doc.RootElement, ValidationContext.Default);
    }

    private static string Body(string messages = User, string extra = "") => $$"""{"model":"gpt-4.1","messages":[{{messages}}]{{extra}}}""";

    [Fact]
    public void Validate_UnknownTopLevelField_UnrecognizedArgumentWithNullParamAndCode() =>
        Assert.Equal(new RequestProblem("Unrecognized request argument supplied: thinking"), Validate(Body(extra: ",\"thinking\":{}")));

    [Fact]
    public void Validate_UnknownTopLevelFieldOnCompatibleServer_Ignored() =>
        Assert.Null(Validate(Body(extra: ",\"keep_alive\":\"5m\",\"options\":{}"), OpenAiRequestValidator.Compatible));

    [Fact]
    public void Validate_CompatibleServer_StillChecksShapes() =>
        Assert.Equal("messages[0].role", Validate(Body("""{"role":"bot","content":"x"}"""), OpenAiRequestValidator.Compatible)?.Param);

    [Theory]
    [InlineData("""{"model":"m"}""", "Missing required parameter: 'messages'.", "messages", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[]}""", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":5,"max_completion_tokens":5}""", "Setting 'max_tokens' and 'max_completion_tokens' at the same time is not supported.", "max_tokens", "invalid_parameter_combination")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3}""", "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.", "temperature", "decimal_above_max_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"temperature":-1}""", "Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got -1 instead.", "temperature", "decimal_below_min_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]}""", "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length 5 instead.", "stop", "array_above_max_length")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function"}]}""", "Missing required parameter: 'tools[0].function'.", "tools[0].function", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"parameters":{}}}]}""", "Missing required parameter: 'tools[0].function.name'.", "tools[0].function.name", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"name":"Bash","input_schema":{}}]}""", "Missing required parameter: 'tools[0].type'.", "tools[0].type", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"tool","function":{"name":"a"}}]}""", "Invalid value: 'tool'. Supported values are: 'function' and 'custom'.", "tools[0].type", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"model","content":"x"}]}""", "Invalid value: 'model'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", "messages[0].role", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}]}""", "Missing required parameter: 'messages[0].content'.", "messages[0].content", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{}}]}]}""", "Invalid value: 'image'. Supported values are: 'text', 'image_url', 'input_audio', and 'file'.", "messages[0].content[0].type", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", "Invalid value: 'image_url'. Supported values are: 'text'.", "messages[0].content[0].type", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]}""", "Missing required parameter: 'messages[0].content[0].image_url.url'.", "messages[0].content[0].image_url.url", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"},{"role":"tool","content":"out"}]}""", "Missing required parameter: 'messages[1].tool_call_id'.", "messages[1].tool_call_id", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"a"}}]}]}""", "Missing required parameter: 'messages[0].tool_calls[0].function.arguments'.", "messages[0].tool_calls[0].function.arguments", "missing_required_parameter")]
    public void Validate_BadRequest_RejectsWithOpenAisMessageParamAndCode(string json, string message, string param, string code) =>
        Assert.Equal(new RequestProblem(message, param, code), Validate(json));

    [Fact]
    public void Validate_ToolMessageWithoutPrecedingToolCalls_Rejects() =>
        Assert.Equal(
            new RequestProblem("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", "messages.[1].role"),
            Validate(Body(User + """,{"role":"tool","tool_call_id":"call_1","content":"out"}""")));

    [Fact]
    public void Validate_ToolMessageAnsweringAnUnknownId_Rejects() =>
        Assert.Equal("messages.[2].role", Validate(Body(User + "," + Calls + """,{"role":"tool","tool_call_id":"call_9","content":"out"}"""))?.Param);

    [Fact]
    public void Validate_ToolCallsNotAllAnswered_ListsTheUnansweredIds() =>
        Assert.Equal(
            new RequestProblem(
                "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_2",
                "messages.[1].role"),
            Validate(Body(User + "," + Calls + """,{"role":"tool","tool_call_id":"call_1","content":"out"},{"role":"user","content":"and?"}""")));

    [Fact]
    public void Validate_ToolCallsAsLastMessage_ListsEveryId() =>
        Assert.EndsWith("did not have response messages: call_1, call_2", Validate(Body(User + "," + Calls))?.Message, StringComparison.Ordinal);

    [Fact]
    public void Validate_FullToolLoop_Accepted() =>
        Assert.Null(Validate(Body(
            """{"role":"developer","content":"be brief"},""" + User + "," + Calls
            + """,{"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"b"}]},{"role":"tool","tool_call_id":"call_1","content":"a"}""",
            ""","tools":[{"type":"function","function":{"name":"Bash","parameters":{"type":"object"}}},{"type":"function","function":{"name":"Read"}}],"tool_choice":"auto","max_completion_tokens":64,"stream":true,"stream_options":{"include_usage":true},"stop":["x"],"temperature":0.2""")));

    [Fact]
    public void Validate_UserContentParts_Accepted() =>
        Assert.Null(Validate(Body(
            """{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}},{"type":"file","file":{"file_id":"file-1"}}]}""")));
}
