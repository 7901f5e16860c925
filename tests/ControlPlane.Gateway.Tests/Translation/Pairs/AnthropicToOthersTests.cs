using System.Text.Json.Nodes;
using ControlPlane.Gateway.Translation;
using static ControlPlane.Gateway.Tests.Translation.Pairs.PairHarness;

namespace ControlPlane.Gateway.Tests.Translation.Pairs;

/// <summary>Anthropic Messages client against OpenAI Chat, Gemini and (overlay round trip) Anthropic providers.</summary>
public sealed class AnthropicToOthersTests
{
    private const string ToolRoundTrip = """
        {"model":"claude-sonnet-4-5","max_tokens":1024,
         "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Answer in French."}],
         "stop_sequences":["END"],
         "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
         "tool_choice":{"type":"any"},
         "messages":[
           {"role":"user","content":[{"type":"text","text":"Weather?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
           {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C"}]}]}
        """;

    [Fact]
    public void Request_ToOpenAi_SeveralSystemBlocksToolCallWithNoTextImageStopAndToolChoice()
    {
        var body = Request(AnthropicApi, OpenAiApi, ToolRoundTrip);

        Assert.Equal("target-model", (string?)body["model"]);
        var messages = body["messages"]!.AsArray();
        Assert.Equal("system", (string?)messages[0]!["role"]);
        Assert.Contains("Be brief.", messages[0]!["content"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("Answer in French.", messages[0]!["content"]!.ToJsonString(), StringComparison.Ordinal);
        var user = messages.First(m => (string?)m!["role"] == "user")!;
        Assert.Contains("data:image/png;base64,iVBORw0KGgo=", user.ToJsonString(), StringComparison.Ordinal);
        var assistant = messages.First(m => (string?)m!["role"] == "assistant")!;
        var call = assistant["tool_calls"]![0]!;
        Assert.Equal("toolu_1", (string?)call["id"]);
        Assert.Equal("function", (string?)call["type"]);
        Assert.Equal("get_weather", (string?)call["function"]!["name"]);
        Assert.Equal("Paris", (string?)JsonNode.Parse((string)call["function"]!["arguments"]!)!["city"]);
        var tool = messages.Last()!;
        Assert.Equal("tool", (string?)tool["role"]);
        Assert.Equal("toolu_1", (string?)tool["tool_call_id"]);
        Assert.Contains("18C", tool["content"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("END", (string?)body["stop"]![0] ?? (string?)body["stop"]);
        Assert.Equal(1024, (int?)body["max_completion_tokens"]);
        Assert.Null(body["max_tokens"]);
        Assert.Equal("required", (string?)body["tool_choice"]);
        Assert.Equal("get_weather", (string?)body["tools"]![0]!["function"]!["name"]);
    }

    [Fact]
    public void Request_ToCompatible_UsesMaxTokensField()
    {
        var body = Request(AnthropicApi, CompatibleApi, ToolRoundTrip);

        Assert.Equal(1024, (int?)body["max_tokens"]);
    }

    [Fact]
    public void Request_ToGemini_SystemInstructionFunctionResponseInlineDataAndStop()
    {
        var body = Request(AnthropicApi, GeminiApi, ToolRoundTrip);

        var system = body["systemInstruction"]!.ToJsonString();
        Assert.Contains("Be brief.", system, StringComparison.Ordinal);
        Assert.Contains("Answer in French.", system, StringComparison.Ordinal);
        var contents = body["contents"]!.AsArray();
        Assert.Equal("user", (string?)contents[0]!["role"]);
        var inline = contents[0]!["parts"]!.AsArray().First(p => p!["inlineData"] is not null)!["inlineData"]!;
        Assert.Equal("image/png", (string?)inline["mimeType"]);
        Assert.Equal("iVBORw0KGgo=", (string?)inline["data"]);
        Assert.Equal("model", (string?)contents[1]!["role"]);
        Assert.Equal("get_weather", (string?)contents[1]!["parts"]![0]!["functionCall"]!["name"]);
        Assert.Equal("Paris", (string?)contents[1]!["parts"]![0]!["functionCall"]!["args"]!["city"]);
        Assert.Equal("user", (string?)contents[2]!["role"]);
        Assert.Equal("get_weather", (string?)contents[2]!["parts"]![0]!["functionResponse"]!["name"]);
        Assert.Equal("END", (string?)body["generationConfig"]!["stopSequences"]![0]);
        Assert.Equal(1024, (int?)body["generationConfig"]!["maxOutputTokens"]);
        Assert.Equal("ANY", (string?)body["toolConfig"]!["functionCallingConfig"]!["mode"]);
    }

    [Fact]
    public void Request_ToGemini_HttpImageUrl_IsNotTranslatable()
    {
        const string client = """
            {"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}]}]}
            """;

        Assert.Throws<NotTranslatableException>(() => RequestRaw(AnthropicApi, GeminiApi, client));
    }

    [Fact]
    public void Request_ServerTool_IsRecordedNativeOnly()
    {
        const string client = """
            {"model":"m","max_tokens":10,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"hi"}]}
            """;

        var request = AnthropicApi.DecodeRequest(System.Text.Encoding.UTF8.GetBytes(client));

        Assert.NotEmpty(request.NativeOnly);
    }

    [Fact]
    public void Request_ToOpenAi_ThinkingBudget_MapsToReasoningEffort()
    {
        const string client = """
            {"model":"m","max_tokens":20000,"thinking":{"type":"enabled","budget_tokens":16000},"messages":[{"role":"user","content":"hi"}]}
            """;

        var body = Request(AnthropicApi, OpenAiApi, client);

        Assert.NotNull((string?)body["reasoning_effort"]);
    }

    [Fact]
    public void Request_ToAnthropic_OverlayRoundTrip_KeepsSystemToolResultAndStop()
    {
        var body = Request(AnthropicApi, AnthropicApi, ToolRoundTrip);

        Assert.Equal("target-model", (string?)body["model"]);
        Assert.Contains("Answer in French.", body["system"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("END", (string?)body["stop_sequences"]![0]);
        var last = body["messages"]!.AsArray().Last()!;
        Assert.Equal("tool_result", (string?)last["content"]![0]!["type"]);
        Assert.Equal("toolu_1", (string?)last["content"]![0]!["tool_use_id"]);
        Assert.Equal("any", (string?)body["tool_choice"]!["type"]);
    }

    public static TheoryData<string, string> OpenAiFinishes => new()
    {
        { "stop", "end_turn" },
        { "length", "max_tokens" },
        { "tool_calls", "tool_use" },
    };

    [Theory]
    [MemberData(nameof(OpenAiFinishes))]
    public void Answer_FromOpenAi_FinishReasonMapsToStopReason(string finish, string stopReason)
    {
        var answer = Answer(OpenAiApi, AnthropicApi, $$$"""
            {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"{{{finish}}}"}],"usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}
            """);

        Assert.Equal(stopReason, (string?)answer["stop_reason"]);
        Assert.Equal("message", (string?)answer["type"]);
        Assert.Equal("assistant", (string?)answer["role"]);
    }

    [Fact]
    public void Answer_FromOpenAi_ParallelToolCallsWithNoText_AreToolUseBlocksOnly()
    {
        var answer = Answer(OpenAiApi, AnthropicApi, """
            {"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
              {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
              {"id":"call_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":64}}}
            """);

        var content = answer["content"]!.AsArray();
        Assert.Equal(2, content.Count);
        Assert.All(content, b => Assert.Equal("tool_use", (string?)b!["type"]));
        Assert.Equal("call_a", (string?)content[0]!["id"]);
        Assert.Equal("Rome", (string?)content[1]!["input"]!["city"]);
        Assert.Equal("tool_use", (string?)answer["stop_reason"]);
        Assert.Equal(64, (int?)answer["usage"]!["cache_read_input_tokens"]);
        Assert.Equal(36, (int?)answer["usage"]!["input_tokens"]);
        Assert.Equal(20, (int?)answer["usage"]!["output_tokens"]);
    }

    [Fact]
    public void Answer_FromOpenAi_RefusalIsTextWithRefusalStop()
    {
        var answer = Answer(OpenAiApi, AnthropicApi, """
            {"id":"chatcmpl-3","object":"chat.completion","created":1,"model":"gpt-4.1","choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":6,"total_tokens":11}}
            """);

        Assert.Equal("text", (string?)answer["content"]![0]!["type"]);
        Assert.Equal("I can't help with that.", (string?)answer["content"]![0]!["text"]);
        Assert.Equal("refusal", (string?)answer["stop_reason"]);
    }

    [Fact]
    public void Answer_FromGemini_StopSequenceHitEmptyContentAndMaxTokens()
    {
        var empty = Answer(GeminiApi, AnthropicApi, """
            {"candidates":[{"content":{"role":"model","parts":[]},"finishReason":"MAX_TOKENS","index":0}],"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash","responseId":"g1"}
            """);

        Assert.Equal("max_tokens", (string?)empty["stop_reason"]);
        Assert.Empty(empty["content"]!.AsArray());
        Assert.Equal(7, (int?)empty["usage"]!["input_tokens"]);
    }

    [Fact]
    public void Answer_FromGemini_SafetyIsRefusal()
    {
        var answer = Answer(GeminiApi, AnthropicApi, """
            {"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"SAFETY","index":0}],"usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"responseId":"g2"}
            """);

        Assert.Equal("refusal", (string?)answer["stop_reason"]);
    }

    [Fact]
    public void Stream_FromOpenAi_ToolCallArgumentDeltasThenFinishAndUsage()
    {
        const string sse =
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n" +
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}\n\n" +
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]}\n\n" +
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n" +
            "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15,\"prompt_tokens_details\":{\"cached_tokens\":4}}}\n\n" +
            "data: [DONE]\n\n";

        var events = Events(Stream(OpenAiApi, AnthropicApi, """{"model":"m","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", sse));

        var names = events.Select(e => e.Name).ToList();
        Assert.Equal("message_start", names[0]);
        Assert.Equal("message_stop", names[^1]);
        var start = events.Single(e => e.Name == "content_block_start").Data!;
        Assert.Equal("tool_use", (string?)start["content_block"]!["type"]);
        Assert.Equal("get_weather", (string?)start["content_block"]!["name"]);
        var json = string.Concat(events.Where(e => e.Name == "content_block_delta").Select(e => (string?)e.Data!["delta"]!["partial_json"]));
        Assert.Equal("{\"city\":\"Paris\"}", json);
        var delta = events.Single(e => e.Name == "message_delta").Data!;
        Assert.Equal("tool_use", (string?)delta["delta"]!["stop_reason"]);
        Assert.Equal(5, (int?)delta["usage"]!["output_tokens"]);
    }

    [Fact]
    public void Stream_FromGemini_CrlfErrorMidStream_EndsWithAnthropicErrorEvent()
    {
        const string sse =
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},\"index\":0}],\"responseId\":\"g3\"}\r\n\r\n" +
            "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n";

        var events = Events(Stream(GeminiApi, AnthropicApi, """{"model":"m","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"hi"}]}""", sse));

        Assert.Equal("message_start", events[0].Name);
        Assert.Contains(events, e => e.Name == "content_block_delta" && (string?)e.Data!["delta"]!["text"] == "Hel");
        Assert.Equal("error", events[^1].Name);
        Assert.Equal("error", (string?)events[^1].Data!["type"]);
        Assert.Contains("overloaded", (string?)events[^1].Data!["error"]!["message"], StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Name == "message_stop");
    }

    [Fact]
    public void Stream_FromGemini_StopSequenceHitMapsToEndTurnOrStopSequence()
    {
        const string sse =
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Done\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":3,\"candidatesTokenCount\":1,\"cachedContentTokenCount\":2,\"totalTokenCount\":4},\"responseId\":\"g4\"}\r\n\r\n";

        var events = Events(Stream(GeminiApi, AnthropicApi, """{"model":"m","max_tokens":10,"stream":true,"stop_sequences":["END"],"messages":[{"role":"user","content":"hi"}]}""", sse));

        var delta = events.Single(e => e.Name == "message_delta").Data!;
        Assert.Equal("end_turn", (string?)delta["delta"]!["stop_reason"]);
        Assert.Equal("message_stop", events[^1].Name);
    }
}
