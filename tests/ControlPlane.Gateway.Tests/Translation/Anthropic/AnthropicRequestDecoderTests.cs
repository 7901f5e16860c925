using System.Text;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Anthropic;

namespace ControlPlane.Gateway.Tests.Translation.Anthropic;

public sealed class AnthropicRequestDecoderTests
{
    private static readonly AnthropicCodec s_codec = new();

    private static ChatRequest Decode(string json) => s_codec.DecodeRequest(Encoding.UTF8.GetBytes(json));

    /// <summary>The shape Claude Code 2.1.x posts to /v1/messages?beta=true (trimmed to two of its ~12 tools).</summary>
    private const string ClaudeCodeRequest = """
        {
          "model": "claude-sonnet-4-5-20250929",
          "messages": [
            {"role": "user", "content": [
              {"type": "text", "text": "<system-reminder>context</system-reminder>"},
              {"type": "text", "text": "List the files", "cache_control": {"type": "ephemeral"}}
            ]},
            {"role": "assistant", "content": [
              {"type": "thinking", "thinking": "I should run ls.", "signature": "EqQBCgIYAhIM"},
              {"type": "text", "text": "Listing."},
              {"type": "tool_use", "id": "toolu_01A", "name": "Bash", "input": {"command": "ls", "description": "List files"}}
            ]},
            {"role": "user", "content": [
              {"type": "tool_result", "tool_use_id": "toolu_01A", "content": [{"type": "text", "text": "a.txt\nb.txt"}], "is_error": false, "cache_control": {"type": "ephemeral"}}
            ]}
          ],
          "temperature": 1,
          "system": [
            {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "You are an interactive CLI tool.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}
          ],
          "tools": [
            {"name": "Bash", "description": "Runs a command", "input_schema": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"], "additionalProperties": false, "$schema": "http://json-schema.org/draft-07/schema#"}},
            {"name": "Read", "description": "Reads a file", "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}}}, "cache_control": {"type": "ephemeral"}}
          ],
          "metadata": {"user_id": "user_abc_account_def_session_123"},
          "max_tokens": 32000,
          "thinking": {"type": "enabled", "budget_tokens": 31999},
          "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
          "output_config": {"effort": "high"},
          "stream": true
        }
        """;

    [Fact]
    public void Decode_ClaudeCodeRequest_HasNothingNativeOnly()
    {
        var request = Decode(ClaudeCodeRequest);

        Assert.Empty(request.NativeOnly);
        Assert.Equal(["cache_control", "context_management"], request.Dropped.Order());
        Assert.Equal("claude-sonnet-4-5-20250929", request.Model);
        Assert.Equal(32000, request.MaxTokens);
        Assert.True(request.Stream);
        Assert.Equal(1, request.Temperature);
        Assert.Equal("user_abc_account_def_session_123", request.User);
        Assert.Equal(new Reasoning("high", 31999), request.Reasoning);
        Assert.Equal(["You are Claude Code, Anthropic's official CLI for Claude.", "You are an interactive CLI tool."], request.System);
        Assert.Equal(["Bash", "Read"], request.Tools.Select(t => t.Name));
        Assert.Equal("string", request.Tools[0].Parameters!.Value.GetProperty("properties").GetProperty("command").GetProperty("type").GetString());
        Assert.Equal(3, request.Messages.Count);
        Assert.Equal(new ThinkingPart("I should run ls.", "EqQBCgIYAhIM"), request.Messages[1].Content[0]);
        var call = Assert.IsType<ToolCallPart>(request.Messages[1].Content[2]);
        Assert.Equal(("toolu_01A", "Bash"), (call.Id, call.Name));
        Assert.Equal("""{"command": "ls", "description": "List files"}""", call.Arguments);
        var result = Assert.IsType<ToolResultPart>(Assert.Single(request.Messages[2].Content));
        Assert.Equal("toolu_01A", result.ToolCallId);
        Assert.False(result.IsError);
        Assert.Equal([new TextPart("a.txt\nb.txt")], result.Content);
    }

    [Fact]
    public void Decode_AdaptiveThinking_TakesEffortFromOutputConfig()
    {
        var request = Decode("""{"model":"m","max_tokens":10,"messages":[],"thinking":{"type":"adaptive"},"output_config":{"effort":"low"}}""");

        Assert.Equal(new Reasoning("low", null), request.Reasoning);
    }

    [Fact]
    public void Decode_AdaptiveThinkingWithoutEffort_IsMedium()
    {
        Assert.Equal(new Reasoning("medium", null), Decode("""{"model":"m","max_tokens":10,"messages":[],"thinking":{"type":"adaptive"}}""").Reasoning);
    }

    [Fact]
    public void Decode_DisabledThinking_AsksForNoReasoning()
    {
        Assert.Null(Decode("""{"model":"m","max_tokens":10,"messages":[],"thinking":{"type":"disabled"}}""").Reasoning);
    }

    [Fact]
    public void Decode_EnabledThinking_KeepsTheBudget()
    {
        Assert.Equal(new Reasoning(null, 2048), Decode("""{"model":"m","max_tokens":4096,"messages":[],"thinking":{"type":"enabled","budget_tokens":2048}}""").Reasoning);
    }

    [Fact]
    public void Decode_MissingMaxTokens_IsRejectedLikeTheApi()
    {
        var error = Assert.Throws<InvalidRequestException>(() => Decode("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal("max_tokens: Field required", error.Message);
    }

    [Fact]
    public void Decode_SeveralProblems_ListsEveryOne()
    {
        var error = Assert.Throws<InvalidRequestException>(() => Decode("""{"messages":[{"role":"tool","content":"x"},{"role":"user"}],"temperature":"hot"}"""));

        Assert.Contains("messages.0.role: Input should be 'user', 'assistant' or 'system'", error.Message, StringComparison.Ordinal);
        Assert.Contains("messages.1.content: Field required", error.Message, StringComparison.Ordinal);
        Assert.Contains("temperature: Input should be a valid number", error.Message, StringComparison.Ordinal);
        Assert.Contains("model: Field required", error.Message, StringComparison.Ordinal);
        Assert.Contains("max_tokens: Field required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NotJson_IsInvalidRequest()
    {
        Assert.Throws<InvalidRequestException>(() => Decode("{\"model\":"));
    }

    [Fact]
    public void Decode_StringContent_IsOneTextPart()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hello"}]}""");

        Assert.Equal([new ChatMessage(ChatRole.User, [new TextPart("hello")])], request.Messages, new MessageComparer());
    }

    [Fact]
    public void Decode_SystemString_IsOneInstruction()
    {
        Assert.Equal(["be brief"], Decode("""{"model":"m","max_tokens":5,"messages":[],"system":"be brief"}""").System);
    }

    [Fact]
    public void Decode_Images_Base64AndUrl()
    {
        var request = Decode("""
            {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},
              {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}]}
            """);

        Assert.Equal([new ImagePart("image/png", "iVBORw0KGgo=", null), new ImagePart(null, null, "https://example.com/cat.jpg")], request.Messages[0].Content);
    }

    [Fact]
    public void Decode_ImageFromFilesApi_IsNativeOnly()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"file_1"}}]}]}""");

        Assert.Equal(["image_source:file"], request.NativeOnly);
    }

    [Fact]
    public void Decode_ToolResultWithoutContent_KeepsEmptyContent()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","is_error":true}]}]}""");

        var result = Assert.IsType<ToolResultPart>(Assert.Single(request.Messages[0].Content));
        Assert.Empty(result.Content);
        Assert.True(result.IsError);
    }

    [Fact]
    public void Decode_ToolResultWithStringAndImageContent()
    {
        var request = Decode("""
            {"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
              {"type":"tool_result","tool_use_id":"a","content":"42"},
              {"type":"tool_result","tool_use_id":"b","content":[{"type":"text","text":"see"},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAA="}}]}]}]}
            """);

        var first = Assert.IsType<ToolResultPart>(request.Messages[0].Content[0]);
        var second = Assert.IsType<ToolResultPart>(request.Messages[0].Content[1]);
        Assert.Equal([new TextPart("42")], first.Content);
        Assert.Equal([new TextPart("see"), new ImagePart("image/jpeg", "AAA=", null)], second.Content);
    }

    [Fact]
    public void Decode_RedactedThinking_IsDropped()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"redacted_thinking","data":"xyz"},{"type":"text","text":"hi"}]}]}""");

        Assert.Equal(["redacted_thinking"], request.Dropped);
        Assert.Equal([new TextPart("hi")], request.Messages[0].Content);
    }

    [Theory]
    [InlineData("""{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}""", "document")]
    [InlineData("""{"type":"search_result","source":"s","title":"t","content":[]}""", "search_result")]
    [InlineData("""{"type":"container_upload","file_id":"f"}""", "container_upload")]
    [InlineData("""{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}""", "server_tool_use")]
    [InlineData("""{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]}""", "web_search_tool_result")]
    public void Decode_AnthropicOnlyBlocks_AreNativeOnly(string block, string feature)
    {
        var request = Decode($$"""{"model":"m","max_tokens":5,"messages":[{"role":"user","content":[{{block}}]}]}""");

        Assert.Equal([feature], request.NativeOnly);
    }

    [Theory]
    [InlineData("""{"type":"web_search_20250305","name":"web_search","max_uses":5}""")]
    [InlineData("""{"type":"bash_20250124","name":"bash"}""")]
    [InlineData("""{"type":"text_editor_20250728","name":"str_replace_based_edit_tool"}""")]
    [InlineData("""{"type":"code_execution_20250825","name":"code_execution"}""")]
    [InlineData("""{"type":"computer_20250124","name":"computer","display_width_px":1024,"display_height_px":768}""")]
    public void Decode_ServerTools_AreNativeOnly(string tool)
    {
        var request = Decode($$"""{"model":"m","max_tokens":5,"messages":[],"tools":[{{tool}}]}""");

        Assert.Equal(["server_tools"], request.NativeOnly);
        Assert.Empty(request.Tools);
    }

    [Fact]
    public void Decode_CustomTypedTool_IsAnOrdinaryTool()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[],"tools":[{"type":"custom","name":"f","input_schema":{"type":"object"}}]}""");

        Assert.Empty(request.NativeOnly);
        Assert.Equal("f", Assert.Single(request.Tools).Name);
    }

    [Theory]
    [InlineData("""{"type":"auto"}""", "Auto", null, null)]
    [InlineData("""{"type":"any"}""", "Required", null, null)]
    [InlineData("""{"type":"none"}""", "None", null, null)]
    [InlineData("""{"type":"tool","name":"get_weather"}""", "Tool", "get_weather", null)]
    [InlineData("""{"type":"auto","disable_parallel_tool_use":true}""", "Auto", null, false)]
    [InlineData("""{"type":"any","disable_parallel_tool_use":true}""", "Required", null, false)]
    public void Decode_ToolChoice(string choice, string kind, string? name, bool? parallel)
    {
        var request = Decode($$"""{"model":"m","max_tokens":5,"messages":[],"tool_choice":{{choice}}}""");

        Assert.Equal(new ToolChoice(Enum.Parse<ToolChoiceKind>(kind), name), request.ToolChoice);
        Assert.Equal(parallel, request.ParallelToolCalls);
    }

    [Fact]
    public void Decode_SamplingAndStops()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[],"temperature":0.2,"top_p":0.9,"top_k":40,"stop_sequences":["END","\n\nHuman:"]}""");

        Assert.Equal((0.2, 0.9, 40), (request.Temperature!.Value, request.TopP!.Value, request.TopK!.Value));
        Assert.Equal(["END", "\n\nHuman:"], request.StopSequences);
        Assert.False(request.Stream);
    }

    [Fact]
    public void Decode_MetadataBesideUserId_IsDropped()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[],"metadata":{"user_id":"u1","trace":"t"}}""");

        Assert.Equal("u1", request.User);
        Assert.Equal(["metadata"], request.Dropped);
    }

    [Fact]
    public void Decode_OutputConfigFormat_IsJsonSchema()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[],"output_config":{"format":{"type":"json_schema","schema":{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}}}}""");

        Assert.Equal(ResponseFormatKind.JsonSchema, request.ResponseFormat!.Kind);
        Assert.True(request.ResponseFormat.Strict);
        Assert.Equal("integer", request.ResponseFormat.Schema!.Value.GetProperty("properties").GetProperty("a").GetProperty("type").GetString());
        Assert.Null(request.Reasoning);
    }

    [Fact]
    public void Decode_LegacyOutputFormat_IsJsonSchema()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[],"output_format":{"type":"json_schema","schema":{"type":"object"}}}""");

        Assert.Equal(ResponseFormatKind.JsonSchema, request.ResponseFormat!.Kind);
    }

    [Fact]
    public void Decode_DroppableFields_AreDropped()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[],"service_tier":"auto","context_management":{"edits":[]},"cache_control":{"type":"ephemeral"},"inference_geo":"us"}""");

        Assert.Empty(request.NativeOnly);
        Assert.Equal(["service_tier", "context_management", "cache_control", "inference_geo"], request.Dropped);
    }

    [Fact]
    public void Decode_McpServersContainerAndUnknownFields_AreNativeOnly()
    {
        var request = Decode("""{"model":"m","max_tokens":5,"messages":[],"mcp_servers":[{"type":"url","url":"https://x","name":"x"}],"container":"c1","frobnicate":1}""");

        Assert.Equal(["mcp_servers", "container", "unknown_field:frobnicate"], request.NativeOnly);
    }

    private sealed class MessageComparer : IEqualityComparer<ChatMessage>
    {
        public bool Equals(ChatMessage? x, ChatMessage? y) => x!.Role == y!.Role && x.Content.SequenceEqual(y.Content);

        public int GetHashCode(ChatMessage obj) => obj.Role.GetHashCode();
    }
}
