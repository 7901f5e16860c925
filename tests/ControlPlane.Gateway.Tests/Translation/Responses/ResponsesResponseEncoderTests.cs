using System.Text.Json.Nodes;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Responses;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Translation.Responses;

public sealed class ResponsesResponseEncoderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static JsonNode Encode(ChatResponse response) =>
        JsonNode.Parse(new ResponsesCodec(new FakeTimeProvider(Now)).EncodeResponse(response, "my-model"))!;

    [Fact]
    public void Encode_TextAnswer_IsACompletedResponseWithOneMessage()
    {
        var json = Encode(new ChatResponse("msg_01", "claude-x", [new TextPart("Hello")], FinishReason.EndTurn, null, new Usage(10, 5)));

        Assert.Equal("resp_msg_01", json["id"]!.GetValue<string>());
        Assert.Equal("response", json["object"]!.GetValue<string>());
        Assert.Equal(Now.ToUnixTimeSeconds(), json["created_at"]!.GetValue<long>());
        Assert.Equal("completed", json["status"]!.GetValue<string>());
        Assert.Null(json["error"]);
        Assert.Null(json["incomplete_details"]);
        Assert.Equal("my-model", json["model"]!.GetValue<string>());
        Assert.Equal(
            """[{"id":"msg_msg_01","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Hello"}],"role":"assistant"}]""",
            json["output"]!.ToJsonString());
        Assert.True(json["parallel_tool_calls"]!.GetValue<bool>());
        Assert.Equal("auto", json["tool_choice"]!.GetValue<string>());
        Assert.Equal("[]", json["tools"]!.ToJsonString());
        Assert.Equal("""{"format":{"type":"text"},"verbosity":"medium"}""", json["text"]!.ToJsonString());
        Assert.Equal(
            """{"input_tokens":10,"input_tokens_details":{"cached_tokens":0},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":15}""",
            json["usage"]!.ToJsonString());
    }

    [Fact]
    public void Encode_ToolCallsWithNoText_AreFunctionCallItems()
    {
        var json = Encode(new ChatResponse(
            "r", "m",
            [new ThinkingPart("plan", "sig"), new ToolCallPart("call_a", "get_weather", """{"city":"Paris"}"""), new ToolCallPart("call_b", "get_weather", """{"city":"Rome"}""")],
            FinishReason.ToolUse, null, Usage.None));

        Assert.Equal(
            """[{"id":"fc_call_a","type":"function_call","status":"completed","arguments":"{\u0022city\u0022:\u0022Paris\u0022}","call_id":"call_a","name":"get_weather"},""" +
            """{"id":"fc_call_b","type":"function_call","status":"completed","arguments":"{\u0022city\u0022:\u0022Rome\u0022}","call_id":"call_b","name":"get_weather"}]""",
            json["output"]!.ToJsonString());
        Assert.Equal("completed", json["status"]!.GetValue<string>());
    }

    [Fact]
    public void Encode_TextAroundAToolCall_IsTwoMessagesWithDistinctIds()
    {
        var json = Encode(new ChatResponse(
            "r", "m", [new TextPart("a"), new TextPart("b"), new ToolCallPart("c", "f", "{}"), new TextPart("c")], FinishReason.ToolUse, null, Usage.None));

        var output = json["output"]!.AsArray();
        Assert.Equal(3, output.Count);
        Assert.Equal("msg_r", output[0]!["id"]!.GetValue<string>());
        Assert.Equal(2, output[0]!["content"]!.AsArray().Count);
        Assert.Equal("msg_r_1", output[2]!["id"]!.GetValue<string>());
    }

    [Fact]
    public void Encode_EmptyContent_HasNoOutputItems()
    {
        Assert.Equal("[]", Encode(new ChatResponse("r", "m", [], FinishReason.EndTurn, null, Usage.None))["output"]!.ToJsonString());
    }

    [Fact]
    public void Encode_MaxTokens_IsIncompleteForMaxOutputTokens()
    {
        var json = Encode(new ChatResponse("r", "m", [new TextPart("Once")], FinishReason.MaxTokens, null, new Usage(3, 16)));

        Assert.Equal("incomplete", json["status"]!.GetValue<string>());
        Assert.Equal("""{"reason":"max_output_tokens"}""", json["incomplete_details"]!.ToJsonString());
    }

    [Fact]
    public void Encode_Refusal_IsIncompleteForContentFilter()
    {
        var json = Encode(new ChatResponse("r", "m", [], FinishReason.Refusal, null, Usage.None));

        Assert.Equal("incomplete", json["status"]!.GetValue<string>());
        Assert.Equal("""{"reason":"content_filter"}""", json["incomplete_details"]!.ToJsonString());
    }

    [Fact]
    public void Encode_StopSequence_IsCompleted()
    {
        Assert.Equal("completed", Encode(new ChatResponse("r", "m", [new TextPart("x")], FinishReason.StopSequence, "END", Usage.None))["status"]!.GetValue<string>());
    }

    [Fact]
    public void Encode_CachedAndReasoningTokens_GoToTheirDetails()
    {
        var json = Encode(new ChatResponse("r", "m", [new TextPart("x")], FinishReason.EndTurn, null, new Usage(100, 40, CachedInputTokens: 64, ReasoningTokens: 30)));

        Assert.Equal(
            """{"input_tokens":100,"input_tokens_details":{"cached_tokens":64},"output_tokens":40,"output_tokens_details":{"reasoning_tokens":30},"total_tokens":140}""",
            json["usage"]!.ToJsonString());
    }
}
