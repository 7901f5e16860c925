using System.Text;
using ControlPlane.Gateway.Translation;
using static ControlPlane.Gateway.Tests.Translation.Pairs.PairHarness;

namespace ControlPlane.Gateway.Tests.Translation.Pairs;

/// <summary>OpenAI Chat and Responses clients against Anthropic and Gemini providers, and OpenAI-only refusals.</summary>
public sealed class OpenAiChatAndResponsesToOthersTests
{
    private const string AnthropicStream =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"cache_read_input_tokens\":6,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n" +
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"END\"},\"usage\":{\"output_tokens\":3}}\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private const string AnthropicErrorStream =
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n" +
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";

    [Fact]
    public void Request_ChatToAnthropic_SystemOnTopToolMessageBecomesToolResultMaxTokens()
    {
        var body = Request(OpenAiApi, AnthropicApi, """
            {"model":"gpt-4.1","max_completion_tokens":300,"messages":[
              {"role":"system","content":"Be brief."},
              {"role":"user","content":"Weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
              {"role":"tool","tool_call_id":"call_a","content":"18C"}]}
            """);

        Assert.Contains("Be brief.", body["system"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(300, (int?)body["max_tokens"]);
        var messages = body["messages"]!.AsArray();
        Assert.All(messages, m => Assert.NotEqual("system", (string?)m!["role"]));
        Assert.Equal("tool_use", (string?)messages[1]!["content"]![0]!["type"]);
        Assert.Equal("user", (string?)messages[^1]!["role"]);
        Assert.Equal("tool_result", (string?)messages[^1]!["content"]![0]!["type"]);
        Assert.Equal("call_a", (string?)messages[^1]!["content"]![0]!["tool_use_id"]);
    }

    [Fact]
    public void Request_ChatWithSeveralChoices_IsRecordedNativeOnly()
    {
        var request = OpenAiApi.DecodeRequest(Encoding.UTF8.GetBytes("""{"model":"gpt-4.1","n":2,"messages":[{"role":"user","content":"hi"}]}"""));

        Assert.NotEmpty(request.NativeOnly);
    }

    [Fact]
    public void Request_AnthropicWithFiveStopSequencesToOpenAi_IsNotTranslatable()
    {
        const string client = """
            {"model":"m","max_tokens":10,"stop_sequences":["a","b","c","d","e"],"messages":[{"role":"user","content":"hi"}]}
            """;

        Assert.Throws<NotTranslatableException>(() => RequestRaw(AnthropicApi, OpenAiApi, client));
    }

    [Fact]
    public void Answer_AnthropicToChat_StopSequenceHitIsStopAndCachedTokensAreReported()
    {
        var answer = Answer(AnthropicApi, OpenAiApi, """
            {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Done"}],"stop_reason":"stop_sequence","stop_sequence":"END","usage":{"input_tokens":10,"cache_read_input_tokens":6,"output_tokens":3}}
            """);

        Assert.Equal("stop", (string?)answer["choices"]![0]!["finish_reason"]);
        Assert.Equal("Done", (string?)answer["choices"]![0]!["message"]!["content"]);
        Assert.Equal(6, (int?)answer["usage"]!["prompt_tokens_details"]!["cached_tokens"]);
        Assert.Equal(3, (int?)answer["usage"]!["completion_tokens"]);
    }

    [Fact]
    public void Answer_AnthropicToChat_MaxTokensIsLength()
    {
        var answer = Answer(AnthropicApi, OpenAiApi, """
            {"id":"msg_3","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":0}}
            """);

        Assert.Equal("length", (string?)answer["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public void Stream_AnthropicToChat_TextThenStopThenDone()
    {
        var events = Events(Stream(AnthropicApi, OpenAiApi, """{"model":"gpt-4.1","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", AnthropicStream));

        Assert.Null(events[^1].Data); // [DONE]
        var text = string.Concat(events.Where(e => e.Data?["choices"]?.AsArray().Count > 0).Select(e => (string?)e.Data!["choices"]![0]!["delta"]!["content"]));
        Assert.Equal("Hi", text);
        Assert.Contains(events, e => e.Data?["choices"]?.AsArray().Count > 0 && (string?)e.Data!["choices"]![0]!["finish_reason"] == "stop");
    }

    [Fact]
    public void Stream_AnthropicErrorMidStreamToChat_EndsWithErrorObject()
    {
        var events = Events(Stream(AnthropicApi, OpenAiApi, """{"model":"gpt-4.1","stream":true,"messages":[{"role":"user","content":"hi"}]}""", AnthropicErrorStream));

        Assert.NotNull(events[^1].Data?["error"]);
        Assert.Contains("Overloaded", (string?)events[^1].Data!["error"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_AnthropicToResponses_SequenceNumbersStrictlyIncreaseAndCompletes()
    {
        var events = Events(Stream(AnthropicApi, ResponsesApi, """{"model":"gpt-4.1","stream":true,"input":"hi"}""", AnthropicStream));

        var numbers = events.Select(e => (int)e.Data!["sequence_number"]!).ToList();
        Assert.True(numbers.Zip(numbers.Skip(1)).All(p => p.Second > p.First));
        Assert.Equal("response.created", events[0].Name);
        Assert.Equal("response.completed", events[^1].Name);
    }

    [Fact]
    public void Stream_GeminiErrorMidStreamToResponses_EndsWithFailure()
    {
        const string sse =
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},\"index\":0}],\"responseId\":\"g3\"}\r\n\r\n" +
            "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n";

        var events = Events(Stream(GeminiApi, ResponsesApi, """{"model":"gpt-4.1","stream":true,"input":"hi"}""", sse));

        Assert.Contains(events[^1].Name, new[] { "error", "response.failed" });
        Assert.DoesNotContain(events, e => e.Name == "response.completed");
    }
}
