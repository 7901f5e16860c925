using System.Buffers;
using System.Text.Json.Nodes;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Translation.Responses;
using Microsoft.Extensions.Time.Testing;

namespace ControlPlane.Gateway.Tests.Translation.Responses;

public sealed class ResponsesStreamEncoderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static readonly ChatRequest Request = new() { Model = "my-model", Stream = true, Temperature = 0.3 };

    /// <summary>Encodes the events and reads the SSE back: (event name, data JSON) pairs.</summary>
    private static List<(string Name, JsonNode Data)> Encode(params StreamEvent[] events)
    {
        var encoder = new ResponsesCodec(new FakeTimeProvider(Now)).CreateStreamEncoder(Request);
        var output = new ArrayBufferWriter<byte>();
        foreach (var streamEvent in events)
        {
            encoder.Write(streamEvent, output);
        }

        var sseEvents = new List<SseEvent>();
        new SseParser().Feed(output.WrittenSpan, sseEvents);
        return sseEvents.Select(e => (e.Name!, JsonNode.Parse(e.Data.Span)!)).ToList();
    }

    private static void AssertWellFormed(List<(string Name, JsonNode Data)> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            Assert.Equal(events[i].Name, events[i].Data["type"]!.GetValue<string>());
            Assert.Equal(i, events[i].Data["sequence_number"]!.GetValue<int>()); // strictly increasing from 0
        }
    }

    [Fact]
    public void Write_TextAnswer_EmitsTheTypedEventSequence()
    {
        var events = Encode(
            new MessageStarted("msg_1", "claude-x", new Usage(10, 0)),
            new BlockStarted(0, BlockKind.Text),
            new BlockDelta(0, "Hel"),
            new BlockDelta(0, "lo"),
            new BlockStopped(0),
            new MessageFinished(FinishReason.EndTurn, null, new Usage(10, 2, CachedInputTokens: 4)));

        AssertWellFormed(events);
        Assert.Equal(
            [
                "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed",
            ],
            events.Select(e => e.Name));

        var created = events[0].Data["response"]!;
        Assert.Equal("resp_msg_1", created["id"]!.GetValue<string>());
        Assert.Equal("in_progress", created["status"]!.GetValue<string>());
        Assert.Equal("[]", created["output"]!.ToJsonString());
        Assert.Equal("my-model", created["model"]!.GetValue<string>());
        Assert.Equal(0.3, created["temperature"]!.GetValue<double>());
        Assert.Null(created["usage"]);

        Assert.Equal(
            """{"type":"response.output_item.added","output_index":0,"item":{"id":"msg_msg_1","type":"message","status":"in_progress","content":[],"role":"assistant"},"sequence_number":2}""",
            events[2].Data.ToJsonString());
        Assert.Equal(
            """{"type":"response.content_part.added","item_id":"msg_msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","annotations":[],"logprobs":[],"text":""},"sequence_number":3}""",
            events[3].Data.ToJsonString());
        Assert.Equal(
            """{"type":"response.output_text.delta","item_id":"msg_msg_1","output_index":0,"content_index":0,"delta":"Hel","logprobs":[],"sequence_number":4}""",
            events[4].Data.ToJsonString());
        Assert.Equal("Hello", events[6].Data["text"]!.GetValue<string>());
        Assert.Equal("Hello", events[7].Data["part"]!["text"]!.GetValue<string>());
        Assert.Equal(
            """{"id":"msg_msg_1","type":"message","status":"completed","content":[{"type":"output_text","annotations":[],"logprobs":[],"text":"Hello"}],"role":"assistant"}""",
            events[8].Data["item"]!.ToJsonString());

        var completed = events[9].Data["response"]!;
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
        Assert.Equal(events[8].Data["item"]!.ToJsonString(), completed["output"]![0]!.ToJsonString());
        Assert.Equal(
            """{"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":12}""",
            completed["usage"]!.ToJsonString());
    }

    [Fact]
    public void Write_ToolCallAfterThinking_EmitsFunctionCallEventsAndSkipsThinking()
    {
        var events = Encode(
            new MessageStarted("r", "m", Usage.None),
            new BlockStarted(0, BlockKind.Thinking),
            new BlockDelta(0, "plan"),
            new BlockStopped(0),
            new BlockStarted(1, BlockKind.ToolCall, "call_a", "get_weather"),
            new BlockDelta(1, "{\"city\":"),
            new BlockDelta(1, "\"Paris\"}"),
            new BlockStopped(1),
            new MessageFinished(FinishReason.ToolUse, null, new Usage(5, 9)));

        AssertWellFormed(events);
        Assert.Equal(
            [
                "response.created", "response.in_progress", "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done", "response.completed",
            ],
            events.Select(e => e.Name));
        Assert.Equal(
            """{"type":"response.output_item.added","output_index":0,"item":{"id":"fc_call_a","type":"function_call","status":"in_progress","arguments":"","call_id":"call_a","name":"get_weather"},"sequence_number":2}""",
            events[2].Data.ToJsonString());
        Assert.Equal(
            """{"type":"response.function_call_arguments.delta","item_id":"fc_call_a","output_index":0,"delta":"{\u0022city\u0022:","sequence_number":3}""",
            events[3].Data.ToJsonString());
        Assert.Equal("""{"city":"Paris"}""", events[5].Data["arguments"]!.GetValue<string>());
        Assert.Equal("completed", events[6].Data["item"]!["status"]!.GetValue<string>());
        Assert.Equal("""{"city":"Paris"}""", events[7].Data["response"]!["output"]![0]!["arguments"]!.GetValue<string>());
        Assert.Equal("completed", events[7].Data["response"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public void Write_TextThenParallelToolCalls_GivesEachItemTheNextOutputIndex()
    {
        var events = Encode(
            new MessageStarted("r", "m", Usage.None),
            new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "Checking."), new BlockStopped(0),
            new BlockStarted(1, BlockKind.ToolCall, "a", "f"), new BlockDelta(1, "{}"), new BlockStopped(1),
            new BlockStarted(2, BlockKind.ToolCall, "b", "f"), new BlockDelta(2, "{}"), new BlockStopped(2),
            new MessageFinished(FinishReason.ToolUse, null, Usage.None));

        AssertWellFormed(events);
        Assert.Equal([0, 1, 2], events.Where(e => e.Name == "response.output_item.added").Select(e => e.Data["output_index"]!.GetValue<int>()));
        Assert.Equal([0, 1, 2], events.Where(e => e.Name == "response.output_item.done").Select(e => e.Data["output_index"]!.GetValue<int>()));
        Assert.Equal(3, events[^1].Data["response"]!["output"]!.AsArray().Count);
    }

    [Fact]
    public void Write_TwoTextBlocksInARow_AreTwoContentPartsOfOneMessage()
    {
        var events = Encode(
            new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "a"), new BlockStopped(0),
            new BlockStarted(1, BlockKind.Text), new BlockDelta(1, "b"), new BlockStopped(1),
            new MessageFinished(FinishReason.EndTurn, null, Usage.None));

        AssertWellFormed(events);
        Assert.Single(events, e => e.Name == "response.output_item.added");
        Assert.Equal([0, 1], events.Where(e => e.Name == "response.content_part.added").Select(e => e.Data["content_index"]!.GetValue<int>()));
        Assert.Equal(2, events[^1].Data["response"]!["output"]![0]!["content"]!.AsArray().Count);
    }

    [Fact]
    public void Write_WithoutMessageStarted_SynthesizesTheOpening()
    {
        var events = Encode(new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "x"), new BlockStopped(0), new MessageFinished(FinishReason.EndTurn, null, Usage.None));

        AssertWellFormed(events);
        Assert.Equal("response.created", events[0].Name);
        Assert.StartsWith("resp_", events[0].Data["response"]!["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Now.ToUnixTimeSeconds(), events[0].Data["response"]!["created_at"]!.GetValue<long>());
    }

    [Fact]
    public void Write_MaxTokens_EndsWithResponseIncomplete()
    {
        var events = Encode(
            new MessageStarted("r", "m", Usage.None),
            new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "Once"), new BlockStopped(0),
            new MessageFinished(FinishReason.MaxTokens, null, new Usage(1, 16)));

        Assert.Equal("response.incomplete", events[^1].Name);
        Assert.Equal("incomplete", events[^1].Data["response"]!["status"]!.GetValue<string>());
        Assert.Equal("max_output_tokens", events[^1].Data["response"]!["incomplete_details"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void Write_Refusal_EndsIncompleteForContentFilter()
    {
        var events = Encode(new MessageStarted("r", "m", Usage.None), new MessageFinished(FinishReason.Refusal, null, Usage.None));

        Assert.Equal(["response.created", "response.in_progress", "response.incomplete"], events.Select(e => e.Name));
        Assert.Equal("content_filter", events[^1].Data["response"]!["incomplete_details"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public void Write_ErrorMidStream_IsAnErrorEventInSequenceAndNothingAfter()
    {
        var events = Encode(
            new MessageStarted("r", "m", Usage.None),
            new BlockStarted(0, BlockKind.Text), new BlockDelta(0, "Hel"),
            new StreamFailed(new ApiFault(529, FaultKind.Overloaded, "Overloaded")),
            new BlockStopped(0),
            new MessageFinished(FinishReason.EndTurn, null, Usage.None));

        AssertWellFormed(events);
        Assert.Equal("error", events[^1].Name);
        Assert.Equal(
            """{"type":"error","code":"server_error","message":"Overloaded","param":null,"sequence_number":5}""",
            events[^1].Data.ToJsonString());
    }
}
