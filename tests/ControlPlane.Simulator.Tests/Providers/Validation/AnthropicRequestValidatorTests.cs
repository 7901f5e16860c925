using System.Text.Json;
using ControlPlane.Simulator.Providers.Validation;
using ControlPlane.Simulator.Tests.Support;

namespace ControlPlane.Simulator.Tests.Providers.Validation;

public sealed class AnthropicRequestValidatorTests
{
    private const string User = """{"role":"user","content":"hi"}""";
    private const string CallBash = """{"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"Bash","input":{"command":"ls"}}]}""";
    private const string AnswerBash = """{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}""";
    private const string Tool = """{"name":"Bash","input_schema":{"type":"object"}}""";

    private static readonly ValidationContext s_context = new(["claude-code-20250219"]);

    private static string? Validate(string json, ValidationContext? context = null)
    {
        using var doc = JsonDocument.Parse(json);
        return AnthropicRequestValidator.Instance.Validate(doc.RootElement, context ?? s_context)?.Message;
    }

    private static string Body(string messages = User, string extra = "") =>
        $$"""{"model":"m","max_tokens":2048,"messages":[{{messages}}]{{extra}}}""";

    [Theory]
    [InlineData(",\"response_format\":{}", "response_format: Extra inputs are not permitted")]
    [InlineData(",\"temperature\":1.5", "temperature: Input should be less than or equal to 1")]
    [InlineData(",\"temperature\":-0.5", "temperature: Input should be greater than or equal to 0")]
    [InlineData(",\"top_p\":2", "top_p: Input should be less than or equal to 1")]
    [InlineData(",\"tools\":[{\"name\":\"Bash\"}]", "tools.0.custom.input_schema: Field required")]
    [InlineData(",\"tools\":[{\"input_schema\":{\"type\":\"object\"}}]", "tools.0.custom.name: Field required")]
    [InlineData(",\"tools\":[{\"name\":\"Bash\",\"input_schema\":\"{}\"}]", "tools.0.custom.input_schema: Input should be a valid dictionary or object to extract fields from")]
    [InlineData(",\"tools\":[{\"name\":\"Bash\",\"parameters\":{},\"input_schema\":{\"type\":\"object\"}}]", "tools.0.custom.parameters: Extra inputs are not permitted")]
    [InlineData(",\"system\":[{\"type\":\"image\",\"source\":{}}]", "system.0.type: Input should be 'text'")]
    [InlineData(",\"system\":[{\"type\":\"text\",\"text\":\"x\",\"role\":\"system\"}]", "system.0.role: Extra inputs are not permitted")]
    [InlineData(",\"metadata\":{\"session\":\"x\"}", "metadata.session: Extra inputs are not permitted")]
    [InlineData(",\"tool_choice\":{\"type\":\"tool\"}", "tool_choice.tool.name: Field required")]
    [InlineData(",\"service_tier\":\"flex\"", "service_tier: Input should be 'auto' or 'standard_only'")]
    [InlineData(",\"thinking\":{\"type\":\"enabled\"}", "thinking.enabled.budget_tokens: Field required")]
    [InlineData(",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":512}", "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024")]
    [InlineData(",\"thinking\":{\"type\":\"on\"}", "thinking: Input tag 'on' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'")]
    public void Validate_BadTopLevelField_RejectsWithAnthropicsMessage(string extra, string expected) =>
        Assert.Equal(expected, Validate(Body(extra: extra)));

    [Theory]
    [InlineData("""{"role":"tool","content":"be nice"}""", "messages.0.role: Input should be 'user', 'assistant' or 'system'")]
    [InlineData("""{"content":"hi"}""", "messages.0.role: Field required")]
    [InlineData("""{"role":"user"}""", "messages.0.content: Field required")]
    [InlineData("""{"role":"user","content":"hi","name":"bob"}""", "messages.0.name: Extra inputs are not permitted")]
    [InlineData("""{"role":"user","content":""}""", "messages.0: all messages must have non-empty content except for the optional final assistant message")]
    [InlineData("""{"role":"user","content":[{"type":"text","text":""}]}""", "messages.0.content.0.text: text content blocks must be non-empty")]
    [InlineData("""{"role":"user","content":[{"text":"hi"}]}""", "messages.0.content.0: Unable to extract tag using discriminator 'type'")]
    [InlineData("""{"role":"user","content":[{"type":"image","image_url":{"url":"x"}}]}""", "messages.0.content.0.image.source: Field required")]
    [InlineData("""{"role":"user","content":[{"type":"text","text":"a","citations":[],"index":0}]}""", "messages.0.content.0.text.index: Extra inputs are not permitted")]
    public void Validate_BadMessage_RejectsWithAnthropicsMessage(string message, string expected) =>
        Assert.Equal(expected, Validate(Body(message)));

    [Fact]
    public void Validate_UnknownBlockType_ListsTheExpectedTags()
    {
        var message = Validate(Body("""{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}"""));

        Assert.StartsWith("messages.0.content.0: Input tag 'image_url' found using 'type' does not match any of the expected tags: ", message, StringComparison.Ordinal);
        Assert.Contains("'tool_result'", message, StringComparison.Ordinal);
        Assert.Contains("'container_upload'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OpenAiShapedTool_RejectsTheFunctionTag() =>
        Assert.StartsWith(
            "tools.0: Input tag 'function' found using 'type' does not match any of the expected tags: 'custom'",
            Validate(Body(extra: ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"Bash\"}}]")),
            StringComparison.Ordinal);

    [Theory]
    [InlineData("{\"model\":\"m\",\"messages\":[" + User + "]}", "max_tokens: Field required")]
    [InlineData("{\"max_tokens\":5,\"messages\":[" + User + "]}", "model: Field required")]
    [InlineData("{\"model\":\"m\",\"max_tokens\":5}", "messages: Field required")]
    [InlineData("{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}", "messages: at least one message is required")]
    [InlineData("{\"model\":\"m\",\"max_tokens\":0,\"messages\":[" + User + "]}", "max_tokens: Input should be greater than or equal to 1")]
    [InlineData("{\"model\":\"m\",\"max_tokens\":\"16\",\"messages\":[" + User + "]}", "max_tokens: Input should be a valid integer")]
    public void Validate_MissingOrBadRequiredField_Rejects(string json, string expected) =>
        Assert.Equal(expected, Validate(json));

    [Fact]
    public void Validate_ToolResultWithoutToolUseInPreviousMessage_RejectsUnexpectedToolUseId() =>
        Assert.Equal(
            "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
            Validate(Body(User + """,{"role":"assistant","content":"sure"},""" + AnswerBash)));

    [Fact]
    public void Validate_ToolUseWithoutResultInNextMessage_RejectsUnansweredIds() =>
        Assert.Equal(
            "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1. Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
            Validate(Body(User + "," + CallBash + """,{"role":"user","content":"go on"}""", $",\"tools\":[{Tool}]")));

    [Fact]
    public void Validate_ToolUseAsLastMessage_RejectsUnansweredIds() =>
        Assert.StartsWith("messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1.", Validate(Body(User + "," + CallBash)), StringComparison.Ordinal);

    [Fact]
    public void Validate_ToolUseAnsweredInNextMessage_Accepted() =>
        Assert.Null(Validate(Body(User + "," + CallBash + "," + AnswerBash, $",\"tools\":[{Tool}]")));

    [Fact]
    public void Validate_ThinkingBudgetNotBelowMaxTokens_RejectsWithoutInterleavedThinking()
    {
        var body = Body(extra: ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":4096}");

        Assert.StartsWith("`max_tokens` must be greater than `thinking.budget_tokens`.", Validate(body), StringComparison.Ordinal);
        Assert.Null(Validate(body, new ValidationContext(["interleaved-thinking-2025-05-14"])));
    }

    [Theory]
    [InlineData("enabled\",\"budget_tokens\":1024", ",\"temperature\":0.5", "`temperature` may only be set to 1 when thinking is enabled or in adaptive mode.")]
    [InlineData("adaptive\"", ",\"temperature\":0", "`temperature` may only be set to 1 when thinking is enabled or in adaptive mode.")]
    [InlineData("enabled\",\"budget_tokens\":1024", ",\"top_k\":5", "`top_k` is not supported when thinking is enabled or in adaptive mode.")]
    public void Validate_ThinkingWithSamplingOverrides_Rejects(string thinking, string sampling, string expected) =>
        Assert.StartsWith(expected, Validate(Body(extra: $",\"thinking\":{{\"type\":\"{thinking}}}{sampling}")), StringComparison.Ordinal);

    [Fact]
    public void Validate_ThinkingWithTemperatureOne_Accepted() =>
        Assert.Null(Validate(Body(extra: ",\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"temperature\":1")));

    [Fact]
    public void Validate_ClaudeCodeFirstTurn_Accepted() =>
        Assert.Null(Validate(ClaudeCodeRequests.FirstTurn(), new ValidationContext(ClaudeCodeRequests.Betas.Split(','))));

    [Fact]
    public void Validate_ClaudeCodeToolResultTurnWithInterleavedThinking_Accepted() =>
        Assert.Null(Validate(ClaudeCodeRequests.ToolResultTurn(), new ValidationContext(ClaudeCodeRequests.Betas.Split(','))));

    [Fact]
    public void Validate_CountTokens_DoesNotRequireMaxTokens()
    {
        const string json = "{\"model\":\"m\",\"messages\":[" + User + "]}";

        Assert.Null(Validate(json, new ValidationContext([], CountTokens: true)));
        Assert.Equal("max_tokens: Field required", Validate(json));
    }

    [Fact]
    public void Validate_ServerToolsAndOtherBlockTypes_Accepted() =>
        Assert.Null(Validate(Body(
            """{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}},{"type":"container_upload","file_id":"file_1"},{"type":"text","text":"summarize"}]}""",
            ",\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":3},{\"type\":\"custom\",\"name\":\"Read\",\"input_schema\":{\"type\":\"object\"}}]")));
}
