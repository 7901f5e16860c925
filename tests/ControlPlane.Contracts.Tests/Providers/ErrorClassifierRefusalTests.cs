using ControlPlane.Contracts;
using ControlPlane.Contracts.Providers;

namespace ControlPlane.Contracts.Tests.Providers;

/// <summary>The real error bodies each API sends for a request too long for the model, or refused by a content policy.</summary>
public sealed class ErrorClassifierRefusalTests
{
    public static TheoryData<string, int, string, int?, int?> ContextWindowBodies => new()
    {
        {
            "anthropic prompt", 400,
            """{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 209353 tokens > 199999 maximum"}}""",
            209353, 199999
        },
        {
            "anthropic prompt + max_tokens", 400,
            """{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 188240 + 21333 > 200000, decrease input length or `max_tokens` and try again"}}""",
            209573, 200000
        },
        {
            "openai messages", 400,
            """{"error":{"message":"This model's maximum context length is 8192 tokens. However, your messages resulted in 8227 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}""",
            8227, 8192
        },
        {
            "vllm (no code)", 400,
            """{"object":"error","error":{"message":"This model's maximum context length is 8192 tokens. However, you requested 8203 tokens (7691 in the messages, 512 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","code":400}}""",
            8203, 8192
        },
        {
            "gemini", 400,
            """{"error":{"code":400,"message":"The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}""",
            1200293, 1048576
        },
    };

    [Theory]
    [MemberData(nameof(ContextWindowBodies))]
    public void ClassifyRefusal_ContextWindowErrorOfEachApi_IsContextWindowWithItsNumbers(string api, int status, string body, int? tokens, int? limit)
    {
        var error = ProviderError.TryParse(body);

        Assert.Equal(Refusals.ContextWindow, ErrorClassifier.ClassifyRefusal(status, error));
        Assert.Equal(new ContextWindowNumbers(tokens, limit), ErrorClassifier.ContextWindowOf(error!));
        Assert.Equal(Outcomes.BadRequest, ErrorClassifier.Classify(status, error)); // a probe still calls it a bad request
        Assert.NotNull(api);
    }

    [Theory]
    [InlineData("""{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","param":null,"code":"content_policy_violation"}}""")]
    [InlineData("""{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400}}""")]
    [InlineData("""{"type":"error","error":{"type":"invalid_request_error","message":"Output blocked by content filtering policy"}}""")]
    public void ClassifyRefusal_ContentPolicyErrors_AreContentPolicy(string body) =>
        Assert.Equal(Refusals.ContentPolicy, ErrorClassifier.ClassifyRefusal(400, ProviderError.TryParse(body)));

    [Theory]
    [InlineData(400, """{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: 10000 > 4096, which is the maximum allowed number of output tokens for claude-3-5-sonnet"}}""")]
    [InlineData(400, """{"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT"}}""")]
    [InlineData(429, """{"error":{"message":"maximum context length is 10 tokens","code":"rate_limit_exceeded"}}""")]
    [InlineData(500, """{"error":{"message":"content_policy_violation","type":"server_error"}}""")]
    [InlineData(400, "")]
    public void ClassifyRefusal_OtherErrors_AreNoRefusal(int status, string body) =>
        Assert.Null(ErrorClassifier.ClassifyRefusal(status, ProviderError.TryParse(body)));

    [Fact]
    public void ContextWindowOf_TextWithoutNumbers_StatesNothing() =>
        Assert.Equal(new ContextWindowNumbers(null, null),
            ErrorClassifier.ContextWindowOf(new ProviderError(null, "context_length_exceeded", null, "Too long.", null)));
}
