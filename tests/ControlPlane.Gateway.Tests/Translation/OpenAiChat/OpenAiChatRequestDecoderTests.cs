using System.Text.Json;
using ControlPlane.Gateway.Translation;
using static ControlPlane.Gateway.Tests.Translation.OpenAiChat.OpenAiChatTestKit;

namespace ControlPlane.Gateway.Tests.Translation.OpenAiChat;

public sealed class OpenAiChatRequestDecoderTests
{
    [Fact]
    public void Decode_SimpleRequest_ReadsModelMessagesAndSampling()
    {
        var request = Decode("{'model':'gpt-4o','messages':[{'role':'user','content':'Hi'}],'temperature':0.5,'top_p':0.9,"
            + "'max_completion_tokens':100,'stop':'END','user':'u1','stream':true,'stream_options':{'include_usage':true},"
            + "'reasoning_effort':'low','parallel_tool_calls':false}");

        Assert.Equal("gpt-4o", request.Model);
        var message = Assert.Single(request.Messages);
        Assert.Equal(ChatRole.User, message.Role);
        Assert.Equal(new TextPart("Hi"), Assert.Single(message.Content));
        Assert.Equal(0.5, request.Temperature);
        Assert.Equal(0.9, request.TopP);
        Assert.Equal(100, request.MaxTokens);
        Assert.Equal(["END"], request.StopSequences);
        Assert.Equal("u1", request.User);
        Assert.True(request.Stream);
        Assert.True(request.StreamUsage);
        Assert.Equal(new Reasoning("low", null), request.Reasoning);
        Assert.False(request.ParallelToolCalls);
        Assert.Empty(request.NativeOnly);
        Assert.Empty(request.Dropped);
    }

    [Fact]
    public void Decode_MaxTokensAlone_IsTheLimit()
    {
        Assert.Equal(42, Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'max_tokens':42}").MaxTokens);
    }

    [Fact]
    public void Decode_BothMaxTokenFields_IsInvalid()
    {
        var e = Assert.Throws<InvalidRequestException>(() =>
            Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'max_tokens':1,'max_completion_tokens':2}"));
        Assert.Contains("'max_tokens' and 'max_completion_tokens'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_SeveralSystemAndDeveloperMessages_AllGoToSystemInOrder()
    {
        var request = Decode("{'model':'m','messages':[{'role':'system','content':'A'},{'role':'developer','content':[{'type':'text','text':'B'},{'type':'text','text':'C'}]},"
            + "{'role':'user','content':'x'}]}");

        Assert.Equal(["A", "BC"], request.System);
        Assert.Single(request.Messages);
        Assert.Empty(request.Dropped);
    }

    [Fact]
    public void Decode_EmptySystemMessage_IsSkipped()
    {
        var request = Decode("{'model':'m','messages':[{'role':'system','content':''},{'role':'user','content':'x'}]}");
        Assert.Empty(request.System);
    }

    [Fact]
    public void Decode_SystemAfterFirstTurn_IsFoldedAndReportedDropped()
    {
        var request = Decode("{'model':'m','messages':[{'role':'system','content':'A'},{'role':'user','content':'x'},{'role':'system','content':'late'}]}");

        Assert.Equal(["A", "late"], request.System);
        Assert.Equal(["system_position"], request.Dropped);
    }

    [Fact]
    public void Decode_Images_Base64AndUrl_DetailDropped()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':[{'type':'text','text':'look'},"
            + "{'type':'image_url','image_url':{'url':'data:image/png;base64,iVBORw0KGgo='}},"
            + "{'type':'image_url','image_url':{'url':'https://example.com/cat.jpg','detail':'high'}}]}]}");

        var content = Assert.Single(request.Messages).Content;
        Assert.Equal(new TextPart("look"), content[0]);
        Assert.Equal(new ImagePart("image/png", "iVBORw0KGgo=", null), content[1]);
        Assert.Equal(new ImagePart(null, null, "https://example.com/cat.jpg"), content[2]);
        Assert.Equal(["image_detail"], request.Dropped);
    }

    [Fact]
    public void Decode_ImageWithAutoDetail_DropsNothing()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'https://e.com/a.png','detail':'auto'}}]}]}");
        Assert.Empty(request.Dropped);
    }

    [Fact]
    public void Decode_AudioAndFileParts_AreNativeOnly()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':[{'type':'input_audio','input_audio':{'data':'x','format':'wav'}},"
            + "{'type':'file','file':{'file_id':'f'}}]}]}");
        Assert.Equal(["audio", "file"], request.NativeOnly);
    }

    [Fact]
    public void Decode_AssistantToolCallsThenToolMessagesAndUser_OneUserTurnWithResultsFirst()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':'weather?'},"
            + "{'role':'assistant','content':null,'tool_calls':[{'id':'call_a','type':'function','function':{'name':'get','arguments':'{\\'city\\':\\'Oslo\\'}'}},"
            + "{'id':'call_b','type':'function','function':{'name':'get','arguments':'{}'}}]},"
            + "{'role':'tool','tool_call_id':'call_a','content':'sunny'},"
            + "{'role':'tool','tool_call_id':'call_b','content':[{'type':'text','text':'rain'}]},"
            + "{'role':'user','content':'thanks'},{'role':'user','content':'again'}]}");

        Assert.Equal(4, request.Messages.Count);
        var assistant = request.Messages[1];
        Assert.Equal(ChatRole.Assistant, assistant.Role);
        Assert.Equal(
            [new ToolCallPart("call_a", "get", "{\"city\":\"Oslo\"}"), new ToolCallPart("call_b", "get", "{}")],
            assistant.Content);
        var results = request.Messages[2];
        Assert.Equal(ChatRole.User, results.Role);
        Assert.Equal(3, results.Content.Count);
        var first = Assert.IsType<ToolResultPart>(results.Content[0]);
        Assert.Equal("call_a", first.ToolCallId);
        Assert.Equal(new TextPart("sunny"), Assert.Single(first.Content));
        Assert.False(first.IsError);
        Assert.Equal("call_b", Assert.IsType<ToolResultPart>(results.Content[1]).ToolCallId);
        Assert.Equal(new TextPart("thanks"), results.Content[2]);
        Assert.Equal([new TextPart("again")], request.Messages[3].Content);
    }

    [Fact]
    public void Decode_ToolResultWithEmptyContent_KeepsEmptyResult()
    {
        var request = Decode("{'model':'m','messages':[{'role':'tool','tool_call_id':'c','content':''}]}");
        var result = Assert.IsType<ToolResultPart>(Assert.Single(Assert.Single(request.Messages).Content));
        Assert.Empty(result.Content);
    }

    [Fact]
    public void Decode_AssistantRefusalAndAudio_RefusalIsTextAudioNativeOnly()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','content':null,'refusal':'I cannot.','audio':{'id':'a1'}}]}");
        Assert.Equal([new TextPart("I cannot.")], request.Messages[1].Content);
        Assert.Equal(["audio"], request.NativeOnly);
    }

    [Fact]
    public void Decode_ToolsAndToolChoice_AreRead()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'tools':[{'type':'function','function':{'name':'get','description':'Get it',"
            + "'parameters':{'type':'object','properties':{}},'strict':true}},{'type':'custom','custom':{'name':'c'}}],"
            + "'tool_choice':{'type':'function','function':{'name':'get'}}}");

        var tool = Assert.Single(request.Tools);
        Assert.Equal("get", tool.Name);
        Assert.Equal("Get it", tool.Description);
        Assert.Equal("{\"type\":\"object\",\"properties\":{}}", tool.Parameters!.Value.GetRawText());
        Assert.Equal(new ToolChoice(ToolChoiceKind.Tool, "get"), request.ToolChoice);
        Assert.Equal(["tool_type:custom"], request.NativeOnly);
        Assert.Equal(["tool_strict"], request.Dropped);
    }

    [Theory]
    [InlineData("auto", nameof(ToolChoiceKind.Auto))]
    [InlineData("none", nameof(ToolChoiceKind.None))]
    [InlineData("required", nameof(ToolChoiceKind.Required))]
    public void Decode_ToolChoiceString_MapsToKind(string choice, string kind)
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'tool_choice':'" + choice + "'}");
        Assert.Equal(new ToolChoice(Enum.Parse<ToolChoiceKind>(kind)), request.ToolChoice);
    }

    [Fact]
    public void Decode_JsonSchemaResponseFormat_KeepsNameSchemaStrict()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'response_format':{'type':'json_schema','json_schema':{'name':'out','schema':{'type':'object'},'strict':true}}}");
        var format = request.ResponseFormat!;
        Assert.Equal(ResponseFormatKind.JsonSchema, format.Kind);
        Assert.Equal("out", format.Name);
        Assert.Equal("{\"type\":\"object\"}", format.Schema!.Value.GetRawText());
        Assert.True(format.Strict);
    }

    [Fact]
    public void Decode_StopArray_KeepsAll()
    {
        Assert.Equal(["a", "b"], Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'stop':['a','b']}").StopSequences);
    }

    [Fact]
    public void Decode_NativeOnlyAndDroppedFeatures_AreNamed()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'n':2,'logprobs':true,'top_logprobs':2,'logit_bias':{'50256':-100},"
            + "'seed':1,'frequency_penalty':0.1,'presence_penalty':0.1,'metadata':{'a':'b'},'store':false,'service_tier':'auto',"
            + "'modalities':['text','audio'],'web_search_options':{},'functions':[],'frobnicate':1,'prompt_cache_key':'k'}");

        Assert.Equal(["n", "logprobs", "logit_bias", "audio", "web_search", "functions", "unknown_field:frobnicate"], request.NativeOnly);
        Assert.Equal(["seed", "frequency_penalty", "presence_penalty", "metadata", "store", "service_tier", "prompt_cache_key"], request.Dropped);
    }

    [Fact]
    public void Decode_DefaultValuedOptions_AreNotFeatures()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'n':1,'logprobs':false,'modalities':['text'],'temperature':null,'seed':null}");
        Assert.Empty(request.NativeOnly);
        Assert.Empty(request.Dropped);
        Assert.Null(request.Temperature);
    }

    [Fact]
    public void Decode_IncludeUsageWithoutStream_IsNotStreamUsage()
    {
        Assert.False(Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'stream_options':{'include_usage':true}}").StreamUsage);
    }

    [Fact]
    public void Decode_MissingMessagesAndModel_ListsBothProblems()
    {
        var e = Assert.Throws<InvalidRequestException>(() => Decode("{}"));
        Assert.Contains("'messages' is a required property", e.Message, StringComparison.Ordinal);
        Assert.Contains("you must provide a model parameter", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_WrongContentType_NamesThePath()
    {
        var e = Assert.Throws<InvalidRequestException>(() => Decode("{'model':'m','messages':[{'role':'user','content':5}]}"));
        Assert.Contains("Invalid type for 'messages[0].content'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{'model':'m','messages':[{'role':'wizard','content':'x'}]}", "'messages[0].role'")]
    [InlineData("{'model':'m','messages':[{'role':'tool','content':'x'}]}", "'messages[0].tool_call_id'")]
    [InlineData("{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'ftp://x'}}]}]}", "'messages[0].content[0].image_url.url'")]
    [InlineData("{'model':'m','messages':[]}", "too short")]
    [InlineData("{'model':'m','messages':[{'role':'user','content':'x'}],'temperature':'hot'}", "'temperature'")]
    public void Decode_InvalidShape_IsInvalidRequest(string body, string expected)
    {
        var e = Assert.Throws<InvalidRequestException>(() => Decode(body));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NotJson_IsInvalidRequest()
    {
        Assert.Throws<InvalidRequestException>(() => Codec().DecodeRequest("{not json"u8));
    }

    [Fact]
    public void Decode_ParametersAreIndependentOfTheBody()
    {
        var request = Decode("{'model':'m','messages':[{'role':'user','content':'x'}],'tools':[{'type':'function','function':{'name':'f','parameters':{'type':'object'}}}]}");
        // The document is disposed after decoding; the schema must have been cloned out of it.
        Assert.Equal(JsonValueKind.Object, request.Tools[0].Parameters!.Value.ValueKind);
    }
}
