using System.Text.Json;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.OpenAiChat;
using static ControlPlane.Gateway.Tests.Translation.OpenAiChat.OpenAiChatTestKit;

namespace ControlPlane.Gateway.Tests.Translation.OpenAiChat;

public sealed class OpenAiChatRequestEncoderTests
{
    private static ChatRequest Request(params ChatMessage[] messages) => new() { Model = "client-model", Messages = messages };

    private static ChatMessage User(params ContentPart[] parts) => new(ChatRole.User, parts);

    private static ChatMessage Assistant(params ContentPart[] parts) => new(ChatRole.Assistant, parts);

    [Fact]
    public void Encode_PathAndMinimalBody()
    {
        var provider = Codec().EncodeRequest(Request(User(new TextPart("Hi"))), "gpt-target");
        Assert.Equal("/v1/chat/completions", provider.PathAndQuery);
        Assert.Equal(Q("{'model':'gpt-target','messages':[{'role':'user','content':'Hi'}]}"), Text(provider.Body));
    }

    [Fact]
    public void Encode_SeveralSystemBlocks_OneSystemMessageJoined()
    {
        var body = Encode(Request(User(new TextPart("x"))) with { System = ["A", "B"] });
        Assert.Equal(Q("{'model':'gpt-target','messages':[{'role':'system','content':'A\\n\\nB'},{'role':'user','content':'x'}]}"), body);
    }

    [Fact]
    public void Encode_ImagesBase64AndUrl_AsImageUrlParts()
    {
        var body = Encode(Request(User(new TextPart("look"), new ImagePart("image/png", "AAAA", null), new ImagePart(null, null, "https://e.com/a.png"))));
        Assert.Contains(Q("'content':[{'type':'text','text':'look'},{'type':'image_url','image_url':{'url':'data:image/png;base64,AAAA'}},"
            + "{'type':'image_url','image_url':{'url':'https://e.com/a.png'}}]"), body, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ToolRoundTrip_ToolCallsThenToolMessagesThenUserText()
    {
        var body = Encode(Request(
            User(new TextPart("weather?")),
            Assistant(new ThinkingPart("hmm", "sig"), new ToolCallPart("toolu_1", "get", "{\"city\":\"Oslo\"}"), new ToolCallPart("toolu_2", "get", "{}")),
            User(new ToolResultPart("toolu_1", [new TextPart("sunny")], false), new ToolResultPart("toolu_2", [new TextPart("failed")], true), new TextPart("thanks"))));

        Assert.Equal(Q("{'model':'gpt-target','messages':[{'role':'user','content':'weather?'},"
            + "{'role':'assistant','content':null,'tool_calls':[{'id':'toolu_1','type':'function','function':{'name':'get','arguments':'{\\'city\\':\\'Oslo\\'}'}},"
            + "{'id':'toolu_2','type':'function','function':{'name':'get','arguments':'{}'}}]},"
            + "{'role':'tool','tool_call_id':'toolu_1','content':'sunny'},{'role':'tool','tool_call_id':'toolu_2','content':'failed'},"
            + "{'role':'user','content':'thanks'}]}"), body);
    }

    [Fact]
    public void Encode_ToolResultWithImage_TextInToolMessageImageInFollowingUserMessage()
    {
        var body = Encode(Request(User(new ToolResultPart("c1", [new TextPart("chart:"), new ImagePart("image/png", "AAAA", null)], false))));
        Assert.Contains(Q("{'role':'tool','tool_call_id':'c1','content':'chart:'},{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/png;base64,AAAA'}}]}"),
            body, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_AssistantTextWithToolCall_KeepsBoth()
    {
        var body = Encode(Request(Assistant(new TextPart("Let me check."), new ToolCallPart("c", "f", "{}"))));
        Assert.Contains(Q("{'role':'assistant','content':'Let me check.','tool_calls':[{'id':'c'"), body, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ToolsChoiceParallelAndOptions_OpenAiDialect()
    {
        using var schema = JsonDocument.Parse("{\"type\":\"object\"}");
        var request = Request(User(new TextPart("x"))) with
        {
            Tools = [new ToolDefinition("get", "Get it", schema.RootElement.Clone()), new ToolDefinition("ping", null, null)],
            ToolChoice = new ToolChoice(ToolChoiceKind.Tool, "get"),
            ParallelToolCalls = false,
            MaxTokens = 256,
            Temperature = 0.2,
            TopP = 0.5,
            TopK = 40,
            StopSequences = ["END"],
            ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonSchema, "out", schema.RootElement.Clone(), true),
            Reasoning = new Reasoning(null, 4096),
            User = "u1",
            Stream = true,
        };

        Assert.Equal(Q("{'model':'gpt-target','messages':[{'role':'user','content':'x'}],"
            + "'tools':[{'type':'function','function':{'name':'get','description':'Get it','parameters':{'type':'object'}}},{'type':'function','function':{'name':'ping'}}],"
            + "'tool_choice':{'type':'function','function':{'name':'get'}},'parallel_tool_calls':false,'max_completion_tokens':256,'temperature':0.2,'top_p':0.5,"
            + "'stop':['END'],'response_format':{'type':'json_schema','json_schema':{'name':'out','schema':{'type':'object'},'strict':true}},"
            + "'reasoning_effort':'medium','user':'u1','stream':true,'stream_options':{'include_usage':true}}"), Encode(request));
    }

    [Fact]
    public void Encode_CompatibleDialect_SendsMaxTokens()
    {
        var body = Encode(Request(User(new TextPart("x"))) with { MaxTokens = 10 }, OpenAiChatDialect.Compatible);
        Assert.Contains(Q("'max_tokens':10"), body, StringComparison.Ordinal);
        Assert.DoesNotContain("max_completion_tokens", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(ToolChoiceKind.Auto), "'tool_choice':'auto'")]
    [InlineData(nameof(ToolChoiceKind.None), "'tool_choice':'none'")]
    [InlineData(nameof(ToolChoiceKind.Required), "'tool_choice':'required'")]
    public void Encode_ToolChoiceKinds(string kind, string expected)
    {
        var body = Encode(Request(User(new TextPart("x"))) with { Tools = [new ToolDefinition("f", null, null)], ToolChoice = new ToolChoice(Enum.Parse<ToolChoiceKind>(kind)) });
        Assert.Contains(Q(expected), body, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_ParallelToolCallsWithoutTools_IsOmitted()
    {
        Assert.DoesNotContain("parallel_tool_calls", Encode(Request(User(new TextPart("x"))) with { ParallelToolCalls = false }), StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_JsonObjectFormat()
    {
        var body = Encode(Request(User(new TextPart("x"))) with { ResponseFormat = new ResponseFormat(ResponseFormatKind.JsonObject) });
        Assert.Contains(Q("'response_format':{'type':'json_object'}"), body, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_MoreThanFourStopSequences_NotTranslatableForOpenAi_PassedToCompatible()
    {
        var request = Request(User(new TextPart("x"))) with { StopSequences = ["a", "b", "c", "d", "e"] };
        var e = Assert.Throws<NotTranslatableException>(() => Codec().EncodeRequest(request, "m"));
        Assert.Equal("stop_sequences", e.Feature);
        Assert.Contains(Q("'stop':['a','b','c','d','e']"), Encode(request, OpenAiChatDialect.Compatible), StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_NoStream_NoStreamOptions()
    {
        Assert.DoesNotContain("stream", Encode(Request(User(new TextPart("x")))), StringComparison.Ordinal);
    }
}
