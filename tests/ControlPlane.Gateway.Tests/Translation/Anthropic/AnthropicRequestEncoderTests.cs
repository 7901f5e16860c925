using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;

namespace ControlPlane.Gateway.Tests.Translation.Anthropic;

public sealed class AnthropicRequestEncoderTests
{
    private static readonly AnthropicCodec s_codec = new(defaultMaxTokens: 4096);

    private static ChatRequest Request(params ChatMessage[] messages) => new() { Model = "alias", Messages = messages };

    private static ChatMessage User(params ContentPart[] parts) => new(ChatRole.User, parts);

    private static ChatMessage Assistant(params ContentPart[] parts) => new(ChatRole.Assistant, parts);

    private static JsonNode Encode(ChatRequest request)
    {
        var encoded = s_codec.EncodeRequest(request, "claude-sonnet-4-5");
        Assert.Equal("/v1/messages", encoded.PathAndQuery);
        return JsonNode.Parse(encoded.Body)!;
    }

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void Encode_MinimalRequest_UsesTargetModelAndDefaultMaxTokens()
    {
        var body = Encode(Request(User(new TextPart("hi"))));

        Assert.Equal("""{"model":"claude-sonnet-4-5","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]}""", body.ToJsonString());
    }

    [Fact]
    public void Encode_WithoutMaxTokens_UsesTheConfiguredDefault()
    {
        var encoded = new AnthropicCodec(defaultMaxTokens: 1500).EncodeRequest(Request(User(new TextPart("hi"))), "m");

        Assert.Equal(1500, JsonNode.Parse(encoded.Body)!["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Encode_OneSystemInstruction_IsAString()
    {
        var body = Encode(Request(User(new TextPart("hi"))) with { System = ["be brief"], MaxTokens = 100 });

        Assert.Equal("be brief", body["system"]!.GetValue<string>());
        Assert.Equal(100, body["max_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Encode_SeveralSystemInstructions_AreTextBlocks()
    {
        var body = Encode(Request(User(new TextPart("hi"))) with { System = ["one", "two"] });

        Assert.Equal("""[{"type":"text","text":"one"},{"type":"text","text":"two"}]""", body["system"]!.ToJsonString());
    }

    [Fact]
    public void Encode_OpenAiStyleToolResults_MergeIntoOneUserTurnWithResultsFirst()
    {
        // OpenAI: assistant calls two tools, then one message per result, then the user's next words.
        var body = Encode(Request(
            User(new TextPart("weather in Paris and Rome?")),
            Assistant(new ToolCallPart("call_1", "weather", """{"city":"Paris"}"""), new ToolCallPart("call_2", "weather", """{"city":"Rome"}""")),
            User(new ToolResultPart("call_1", [new TextPart("18C")], false)),
            User(new TextPart("also, be brief"), new ToolResultPart("call_2", [], true))));

        var messages = body["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        Assert.Equal(
            """{"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"weather","input":{"city":"Paris"}},{"type":"tool_use","id":"call_2","name":"weather","input":{"city":"Rome"}}]}""",
            messages[1]!.ToJsonString());
        Assert.Equal(
            """{"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18C"},{"type":"tool_result","tool_use_id":"call_2","is_error":true},{"type":"text","text":"also, be brief"}]}""",
            messages[2]!.ToJsonString());
    }

    [Fact]
    public void Encode_ToolResultWithImage_IsABlockList()
    {
        var body = Encode(Request(User(new ToolResultPart("t", [new TextPart("shot"), new ImagePart("image/png", "AAA=", null)], false))));

        Assert.Equal(
            """[{"type":"text","text":"shot"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA="}}]""",
            body["messages"]![0]!["content"]![0]!["content"]!.ToJsonString());
    }

    [Fact]
    public void Encode_ToolCallWithEmptyArguments_IsAnEmptyObject()
    {
        var body = Encode(Request(User(new TextPart("go")), Assistant(new ToolCallPart("t1", "now", ""))));

        Assert.Equal("{}", body["messages"]![1]!["content"]![0]!["input"]!.ToJsonString());
    }

    [Fact]
    public void Encode_ToolCallWithBrokenArguments_IsNotTranslatable()
    {
        var error = Assert.Throws<NotTranslatableException>(() => s_codec.EncodeRequest(Request(User(new TextPart("go")), Assistant(new ToolCallPart("t1", "f", "{\"a\":"))), "m"));

        Assert.Equal("tool_arguments", error.Feature);
    }

    [Fact]
    public void Encode_Images_Base64UrlAndDataUrl()
    {
        var body = Encode(Request(User(
            new ImagePart("image/jpeg", "/9j/4AAQ", null),
            new ImagePart(null, null, "https://example.com/a.png"),
            new ImagePart(null, null, "data:image/webp;base64,UklGRg=="))));

        Assert.Equal(
            """[{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}},{"type":"image","source":{"type":"base64","media_type":"image/webp","data":"UklGRg=="}}]""",
            body["messages"]![0]!["content"]!.ToJsonString());
    }

    [Fact]
    public void Encode_ThinkingHistory_KeepsOnlySignedBlocks()
    {
        var body = Encode(Request(
            User(new TextPart("q")),
            Assistant(new ThinkingPart("from another API", null), new ThinkingPart("signed", "sig=="), new TextPart("a"))));

        Assert.Equal(
            """[{"type":"thinking","thinking":"signed","signature":"sig=="},{"type":"text","text":"a"}]""",
            body["messages"]![1]!["content"]!.ToJsonString());
    }

    [Fact]
    public void Encode_AssistantTurnOfOnlyUnsignedThinking_DisappearsAndUserTurnsMerge()
    {
        var body = Encode(Request(User(new TextPart("a")), Assistant(new ThinkingPart("hmm", null)), User(new TextPart("b"))));

        Assert.Equal("""[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]""", body["messages"]!.ToJsonString());
    }

    [Fact]
    public void Encode_Tools_WithSchemaOrAnEmptyObjectSchema()
    {
        var body = Encode(Request(User(new TextPart("x"))) with
        {
            Tools = [new ToolDefinition("get_weather", "Weather now", Json("""{"type":"object","properties":{"city":{"type":"string"}}}""")), new ToolDefinition("ping", null, null)],
        });

        Assert.Equal(
            """[{"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}},{"name":"ping","input_schema":{"type":"object","properties":{}}}]""",
            body["tools"]!.ToJsonString());
    }

    [Theory]
    [InlineData("Auto", null, null, """{"type":"auto"}""")]
    [InlineData("Required", null, null, """{"type":"any"}""")]
    [InlineData("None", null, null, """{"type":"none"}""")]
    [InlineData("Tool", "f", null, """{"type":"tool","name":"f"}""")]
    [InlineData("Required", null, false, """{"type":"any","disable_parallel_tool_use":true}""")]
    [InlineData("None", null, false, """{"type":"none"}""")]
    public void Encode_ToolChoice(string kind, string? name, bool? parallel, string expected)
    {
        var body = Encode(Request(User(new TextPart("x"))) with
        {
            Tools = [new ToolDefinition("f", null, null)],
            ToolChoice = new ToolChoice(Enum.Parse<ToolChoiceKind>(kind), name),
            ParallelToolCalls = parallel,
        });

        Assert.Equal(expected, body["tool_choice"]!.ToJsonString());
    }

    [Theory]
    [InlineData("Auto")]
    [InlineData("None")]
    public void Encode_ToolChoiceWithoutTools_IsLeftOut(string kind)
    {
        var body = Encode(Request(User(new TextPart("x"))) with { ToolChoice = new ToolChoice(Enum.Parse<ToolChoiceKind>(kind)), ParallelToolCalls = false });

        Assert.Null(body["tool_choice"]);
        Assert.Null(body["tools"]);
    }

    [Fact]
    public void Encode_NoParallelCallsWithoutChoice_IsAutoWithDisable()
    {
        var body = Encode(Request(User(new TextPart("x"))) with { Tools = [new ToolDefinition("f", null, null)], ParallelToolCalls = false });

        Assert.Equal("""{"type":"auto","disable_parallel_tool_use":true}""", body["tool_choice"]!.ToJsonString());
    }

    [Fact]
    public void Encode_Reasoning_BecomesThinkingAndLeavesOutSampling()
    {
        var body = Encode(Request(User(new TextPart("x"))) with
        {
            MaxTokens = 8000,
            Reasoning = new Reasoning("medium", null),
            Temperature = 0.3,
            TopP = 0.9,
            TopK = 5,
        });

        Assert.Equal("""{"type":"enabled","budget_tokens":4096}""", body["thinking"]!.ToJsonString());
        Assert.Null(body["temperature"]);
        Assert.Null(body["top_p"]);
        Assert.Null(body["top_k"]);
    }

    [Theory]
    [InlineData(500, 8000, 1024)] // raised to Anthropic's minimum
    [InlineData(16384, 4096, 4095)] // kept below max_tokens
    [InlineData(2000, 8000, 2000)]
    public void Encode_ThinkingBudget_IsClamped(int budget, int maxTokens, int sent)
    {
        var body = Encode(Request(User(new TextPart("x"))) with { MaxTokens = maxTokens, Reasoning = new Reasoning(null, budget) });

        Assert.Equal(sent, body["thinking"]!["budget_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Encode_ReasoningWithSmallMaxTokens_OmitsThinkingAndKeepsSampling()
    {
        var body = Encode(Request(User(new TextPart("x"))) with { MaxTokens = 1024, Reasoning = new Reasoning("high", null), Temperature = 0.5 });

        Assert.Null(body["thinking"]);
        Assert.Equal(0.5, body["temperature"]!.GetValue<double>());
    }

    [Fact]
    public void Encode_ReasoningWithForcedTool_OmitsThinking()
    {
        var body = Encode(Request(User(new TextPart("x"))) with
        {
            MaxTokens = 8000,
            Reasoning = new Reasoning("high", null),
            Tools = [new ToolDefinition("f", null, null)],
            ToolChoice = new ToolChoice(ToolChoiceKind.Tool, "f"),
        });

        Assert.Null(body["thinking"]);
    }

    [Fact]
    public void Encode_ReasoningInToolLoopWithoutSignedThinking_OmitsThinking()
    {
        var body = Encode(Request(
            User(new TextPart("weather?")),
            Assistant(new ToolCallPart("call_1", "weather", "{}")),
            User(new ToolResultPart("call_1", [new TextPart("sunny")], false))) with
        {
            MaxTokens = 8000,
            Reasoning = new Reasoning("high", null),
        });

        Assert.Null(body["thinking"]);
    }

    [Fact]
    public void Encode_ReasoningInToolLoopWithSignedThinking_KeepsThinking()
    {
        var body = Encode(Request(
            User(new TextPart("weather?")),
            Assistant(new ThinkingPart("need a tool", "sig"), new ToolCallPart("toolu_1", "weather", "{}")),
            User(new ToolResultPart("toolu_1", [new TextPart("sunny")], false))) with
        {
            MaxTokens = 8000,
            Reasoning = new Reasoning(null, 2000),
        });

        Assert.Equal(2000, body["thinking"]!["budget_tokens"]!.GetValue<int>());
    }

    [Fact]
    public void Encode_NoReasoning_KeepsSampling()
    {
        var body = Encode(Request(User(new TextPart("x"))) with { Temperature = 0.3, TopP = 0.9, TopK = 5, StopSequences = ["END"] });

        Assert.Equal(0.3, body["temperature"]!.GetValue<double>());
        Assert.Equal(0.9, body["top_p"]!.GetValue<double>());
        Assert.Equal(5, body["top_k"]!.GetValue<int>());
        Assert.Equal("""["END"]""", body["stop_sequences"]!.ToJsonString());
    }

    [Fact]
    public void Encode_JsonSchema_IsOutputConfigFormat()
    {
        var body = Encode(Request(User(new TextPart("x"))) with
        {
            ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonSchema, "answer", Json("""{"type":"object","properties":{"a":{"type":"integer"}}}"""), true),
        });

        Assert.Equal("""{"format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}""", body["output_config"]!.ToJsonString());
    }

    [Fact]
    public void Encode_JsonObject_IsAnyObjectSchema()
    {
        var body = Encode(Request(User(new TextPart("x"))) with { ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonObject) });

        Assert.Equal("""{"format":{"type":"json_schema","schema":{"type":"object"}}}""", body["output_config"]!.ToJsonString());
    }

    [Fact]
    public void Encode_UserAndStream()
    {
        var body = Encode(Request(User(new TextPart("x"))) with { User = "u-1", Stream = true });

        Assert.Equal("""{"user_id":"u-1"}""", body["metadata"]!.ToJsonString());
        Assert.True(body["stream"]!.GetValue<bool>());
    }
}
