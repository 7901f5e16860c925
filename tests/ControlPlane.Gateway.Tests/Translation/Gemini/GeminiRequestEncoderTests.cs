using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Gemini;

namespace ControlPlane.Gateway.Tests.Translation.Gemini;

public sealed class GeminiRequestEncoderTests
{
    private static readonly GeminiCodec Codec = new();

    private static JsonNode Body(ProviderRequest request) => JsonNode.Parse(request.Body)!;

    private static ChatRequest Request(params ChatMessage[] messages) => new() { Model = "alias", Messages = messages };

    private static ChatMessage User(params ContentPart[] parts) => new(ChatRole.User, parts);

    private static ChatMessage Assistant(params ContentPart[] parts) => new(ChatRole.Assistant, parts);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void Encode_PlainRequest_UsesGenerateContentPathAndUserRole()
    {
        var encoded = Codec.EncodeRequest(Request(User(new TextPart("Hi"))), "gemini-2.5-flash");

        Assert.Equal("/v1beta/models/gemini-2.5-flash:generateContent", encoded.PathAndQuery);
        Assert.Equal("""{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}""", Encoding.UTF8.GetString(encoded.Body));
    }

    [Fact]
    public void Encode_Stream_UsesStreamGenerateContentWithSse()
    {
        var encoded = Codec.EncodeRequest(Request(User(new TextPart("Hi"))) with { Stream = true }, "gemini-2.5-pro");

        Assert.Equal("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", encoded.PathAndQuery);
    }

    [Fact]
    public void Encode_TunedModelResourceName_IsUsedAsTheResource()
    {
        var encoded = Codec.EncodeRequest(Request(User(new TextPart("Hi"))), "tunedModels/my-tune");

        Assert.Equal("/v1beta/tunedModels/my-tune:generateContent", encoded.PathAndQuery);
    }

    [Fact]
    public void Encode_SeveralSystemBlocks_BecomeSystemInstructionParts()
    {
        var body = Body(Codec.EncodeRequest(Request(User(new TextPart("Hi"))) with { System = ["Be brief.", "Answer in French."] }, "gemini-2.5-flash"));

        Assert.Equal("""{"parts":[{"text":"Be brief."},{"text":"Answer in French."}]}""", body["systemInstruction"]!.ToJsonString());
    }

    [Fact]
    public void Encode_Base64Image_BecomesInlineData()
    {
        var body = Body(Codec.EncodeRequest(Request(User(new TextPart("What is this?"), new ImagePart("image/jpeg", "AAAA", null))), "gemini-2.5-flash"));

        Assert.Equal(
            """[{"text":"What is this?"},{"inlineData":{"mimeType":"image/jpeg","data":"AAAA"}}]""",
            body["contents"]![0]!["parts"]!.ToJsonString());
    }

    [Fact]
    public void Encode_DataUrlImage_IsUnpackedToInlineData()
    {
        var body = Body(Codec.EncodeRequest(Request(User(new ImagePart(null, null, "data:image/png;base64,iVBO"))), "gemini-2.5-flash"));

        Assert.Equal("""{"inlineData":{"mimeType":"image/png","data":"iVBO"}}""", body["contents"]![0]!["parts"]![0]!.ToJsonString());
    }

    [Fact]
    public void Encode_HttpImageUrl_IsNotTranslatable()
    {
        var error = Assert.Throws<NotTranslatableException>(() =>
            Codec.EncodeRequest(Request(User(new ImagePart(null, null, "https://example.com/cat.png"))), "gemini-2.5-flash"));

        Assert.Equal("image_url", error.Feature);
    }

    [Fact]
    public void Encode_ToolRoundTrip_NamesTheFunctionResponseFromTheEarlierCall()
    {
        var request = Request(
            User(new TextPart("Weather in Paris?")),
            Assistant(new ThinkingPart("Let me look.", "sig"), new ToolCallPart("toolu_1", "get_weather", """{"city":"Paris"}""")),
            User(new TextPart("Thanks"), new ToolResultPart("toolu_1", [new TextPart("18C")], false)));

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal(
            """[{"role":"user","parts":[{"text":"Weather in Paris?"}]},""" +
            """{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},""" +
            """{"role":"user","parts":[{"functionResponse":{"name":"get_weather","response":{"content":"18C"}}},{"text":"Thanks"}]}]""",
            body["contents"]!.ToJsonString());
    }

    [Fact]
    public void Encode_ErrorToolResult_PutsTheTextUnderError()
    {
        var request = Request(
            Assistant(new ToolCallPart("c1", "lookup", "{}")),
            User(new ToolResultPart("c1", [new TextPart("not found")], true)));

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal("""{"error":"not found"}""", body["contents"]![1]!["parts"]![0]!["functionResponse"]!["response"]!.ToJsonString());
    }

    [Fact]
    public void Encode_ToolResultWithoutText_KeepsEmptyContent()
    {
        var request = Request(Assistant(new ToolCallPart("c1", "ping", "")), User(new ToolResultPart("c1", [], false)));

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal("{}", body["contents"]![0]!["parts"]![0]!["functionCall"]!["args"]!.ToJsonString());
        Assert.Equal("""{"content":""}""", body["contents"]![1]!["parts"]![0]!["functionResponse"]!["response"]!.ToJsonString());
    }

    [Fact]
    public void Encode_ToolResultWithoutItsCall_IsNotTranslatable()
    {
        var error = Assert.Throws<NotTranslatableException>(() =>
            Codec.EncodeRequest(Request(User(new ToolResultPart("orphan", [new TextPart("x")], false))), "gemini-2.5-flash"));

        Assert.Equal("tool_result_without_call", error.Feature);
    }

    [Fact]
    public void Encode_ParallelToolCallsForGemini3_SignsOnlyTheFirstCallOfTheTurn()
    {
        var request = Request(
            User(new TextPart("Paris and Rome?")),
            Assistant(new ToolCallPart("a", "get_weather", """{"city":"Paris"}"""), new ToolCallPart("b", "get_weather", """{"city":"Rome"}""")),
            User(new ToolResultPart("a", [new TextPart("18C")], false), new ToolResultPart("b", [new TextPart("25C")], false)));

        var parts = Body(Codec.EncodeRequest(request, "gemini-3-pro-preview"))["contents"]![1]!["parts"]!.AsArray();

        Assert.Equal("skip_thought_signature_validator", parts[0]!["thoughtSignature"]!.GetValue<string>());
        Assert.Null(parts[1]!["thoughtSignature"]);
    }

    [Fact]
    public void Encode_ToolCallForGemini25_CarriesNoSignature()
    {
        var request = Request(Assistant(new ToolCallPart("a", "f", "{}")), User(new ToolResultPart("a", [new TextPart("ok")], false)));

        var parts = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"))["contents"]![0]!["parts"]!.AsArray();

        Assert.Null(parts[0]!["thoughtSignature"]);
    }

    [Fact]
    public void Encode_ThinkingOnlyAssistantTurn_IsDroppedAndNeighbouringUserTurnsMerge()
    {
        var request = Request(User(new TextPart("a")), Assistant(new ThinkingPart("hmm", null)), User(new TextPart("b")));

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal("""[{"role":"user","parts":[{"text":"a"},{"text":"b"}]}]""", body["contents"]!.ToJsonString());
    }

    [Fact]
    public void Encode_ToolCallArgumentsNotJson_IsNotTranslatable()
    {
        var error = Assert.Throws<NotTranslatableException>(() =>
            Codec.EncodeRequest(Request(Assistant(new ToolCallPart("a", "f", "{oops"))), "gemini-2.5-flash"));

        Assert.Equal("tool_call_arguments", error.Feature);
    }

    [Fact]
    public void Encode_Tools_UseFullJsonSchemaAndToolChoice()
    {
        var request = Request(User(new TextPart("hi"))) with
        {
            Tools = [new ToolDefinition("get_weather", "Weather now", Json("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}""")),
                     new ToolDefinition("now", null, null)],
            ToolChoice = new ToolChoice(ToolChoiceKind.Tool, "get_weather"),
        };

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal(
            """[{"functionDeclarations":[{"name":"get_weather","description":"Weather now","parametersJsonSchema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},{"name":"now"}]}]""",
            body["tools"]!.ToJsonString());
        Assert.Equal("""{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}""", body["toolConfig"]!.ToJsonString());
    }

    [Theory]
    [InlineData("Auto", "AUTO")]
    [InlineData("None", "NONE")]
    [InlineData("Required", "ANY")]
    public void Encode_ToolChoice_MapsToFunctionCallingMode(string kind, string mode)
    {
        var request = Request(User(new TextPart("hi"))) with { Tools = [new ToolDefinition("f", null, null)], ToolChoice = new ToolChoice(Enum.Parse<ToolChoiceKind>(kind)) };

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal(mode, body["toolConfig"]!["functionCallingConfig"]!["mode"]!.GetValue<string>());
    }

    [Fact]
    public void Encode_GenerationSettings_GoToGenerationConfig()
    {
        var request = Request(User(new TextPart("hi"))) with
        {
            MaxTokens = 200,
            Temperature = 0.5,
            TopP = 0.9,
            TopK = 40,
            StopSequences = ["END"],
            ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonSchema, "person", Json("""{"type":"object","properties":{"name":{"type":"string"}}}"""), true),
            Reasoning = new Reasoning("medium", null),
        };

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal(
            """{"maxOutputTokens":200,"temperature":0.5,"topP":0.9,"topK":40,"stopSequences":["END"],"responseMimeType":"application/json",""" +
            "\"responseJsonSchema\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}},\"thinkingConfig\":{\"thinkingBudget\":4096,\"includeThoughts\":true}}",
            body["generationConfig"]!.ToJsonString());
    }

    [Fact]
    public void Encode_JsonObject_SetsOnlyTheMimeType()
    {
        var request = Request(User(new TextPart("hi"))) with { ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonObject) };

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal("""{"responseMimeType":"application/json"}""", body["generationConfig"]!.ToJsonString());
    }

    [Fact]
    public void Encode_AnthropicBudget_IsPassedAsIs()
    {
        var request = Request(User(new TextPart("hi"))) with { Reasoning = new Reasoning(null, 2000) };

        var body = Body(Codec.EncodeRequest(request, "gemini-2.5-flash"));

        Assert.Equal(2000, body["generationConfig"]!["thinkingConfig"]!["thinkingBudget"]!.GetValue<int>());
    }

    [Fact]
    public void Encode_MoreThanFiveStopSequences_IsNotTranslatable()
    {
        var request = Request(User(new TextPart("hi"))) with { StopSequences = ["1", "2", "3", "4", "5", "6"] };

        Assert.Equal("stop_sequences", Assert.Throws<NotTranslatableException>(() => Codec.EncodeRequest(request, "gemini-2.5-flash")).Feature);
    }
}
