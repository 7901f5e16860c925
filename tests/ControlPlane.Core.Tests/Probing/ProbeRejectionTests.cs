using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Probing;

namespace ControlPlane.Core.Tests.Probing;

public sealed class ProbeRejectionTests
{
    private const string OpenAIMaxTokens = """{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}""";
    private const string GeminiBudget = """{"error":{"code":400,"message":"Budget 0 is invalid. This model only works in thinking mode.","status":"INVALID_ARGUMENT"}}""";

    private static ProbeClassification Classify(ProviderKind kind, int status, string body) =>
        ProbeClassifier.Classify(new ProbeObservation { Kind = kind, HttpStatus = status, ErrorBody = body });

    [Fact]
    public void Classify_OpenAIUnsupportedParameter_DetailQuotesTheProvider()
    {
        var result = Classify(ProviderKind.OpenAI, 400, OpenAIMaxTokens);

        Assert.Equal(ProbeOutcome.BadRequest, result.Outcome);
        Assert.Equal(
            "http 400: invalid_request_error: Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
            result.Detail);
    }

    [Fact]
    public void Classify_GeminiThinkingBudgetRejected_DetailQuotesTheProvider()
    {
        var result = Classify(ProviderKind.Gemini, 400, GeminiBudget);

        Assert.Equal(ProbeOutcome.BadRequest, result.Outcome);
        Assert.Equal("http 400: INVALID_ARGUMENT: Budget 0 is invalid. This model only works in thinking mode.", result.Detail);
    }

    [Fact]
    public void Classify_NotFoundModel_DetailQuotesTheProvider()
    {
        const string body = """{"error":{"message":"The model `o9` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}""";

        var result = Classify(ProviderKind.OpenAI, 404, body);

        Assert.Equal(ProbeOutcome.BadRequest, result.Outcome);
        Assert.EndsWith("The model `o9` does not exist or you do not have access to it.", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_ServerErrorMessage_StaysOutOfTheDetail()
    {
        // Only a bad request's words are about our own probe; other messages stay out as before.
        const string body = """{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}""";

        Assert.Equal("http 500: server_error", Classify(ProviderKind.OpenAI, 500, body).Detail);
    }

    [Theory]
    [InlineData("Invalid key sk-proj-abcdefghijklmnop1234 in request", "Invalid key [redacted] in request")]
    [InlineData("Incorrect API key provided: sk-abc***xyz.", "Incorrect API key provided: [redacted]")]
    [InlineData("key AIzaSyA1234567890abcdefgh was rejected", "key [redacted] was rejected")]
    [InlineData("header Authorization: Bearer abc.def.ghi is malformed", "header Authorization: Bearer [redacted] is malformed")]
    [InlineData("token 0123456789abcdef0123456789abcdef0123 leaked", "token [redacted] leaked")]
    public void Describe_KeyLikeText_IsMasked(string message, string expected) =>
        Assert.Equal(expected, ProbeRejection.Describe(new ProviderError("invalid_request_error", null, null, message, null)));

    [Fact]
    public void Describe_MultiLineGeminiViolations_OneLine()
    {
        var error = new ProviderError(null, null, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified\n* GenerateContentRequest.model: unexpected model name format\n", null);

        Assert.Equal(
            "* GenerateContentRequest.contents: contents is not specified * GenerateContentRequest.model: unexpected model name format",
            ProbeRejection.Describe(error));
    }

    [Fact]
    public void Describe_LongMessage_IsBounded()
    {
        var error = new ProviderError(null, null, null, string.Join(' ', Enumerable.Repeat("word", 200)), null);

        var text = ProbeRejection.Describe(error)!;

        Assert.Equal(ProbeRejection.MaxLength, text.Length);
        Assert.EndsWith("…", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_NoMessage_IsNull() =>
        Assert.Null(ProbeRejection.Describe(new ProviderError("invalid_request_error", null, null, " ", null)));
}
