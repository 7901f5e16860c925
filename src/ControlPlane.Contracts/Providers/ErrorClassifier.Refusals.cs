using System.Globalization;
using System.Text.RegularExpressions;

namespace ControlPlane.Contracts.Providers;

/// <summary>
/// Names of refusals: 4xx answers about this request on this model, not about the provider's health. They are neither
/// the client's plain mistake (another target may serve the request) nor a failure of the target (no breaker counts
/// them).
/// </summary>
public static class Refusals
{
    /// <summary>The prompt (with the output budget, for some APIs) does not fit the model's context window.</summary>
    public const string ContextWindow = "context_window_exceeded";

    /// <summary>The provider's content policy (moderation, content filter) refused the request.</summary>
    public const string ContentPolicy = "content_policy";
}

/// <summary>The numbers a context-window refusal states, when it states them.</summary>
/// <param name="RequestTokens">What the request came to, in the provider's count (prompt, or prompt + output budget).</param>
/// <param name="Limit">The model's context window the provider applied.</param>
public sealed record ContextWindowNumbers(int? RequestTokens, int? Limit);

public static partial class ErrorClassifier
{
    // OpenAI's moderation of image prompts, and Azure OpenAI's content filter on chat.
    private static readonly HashSet<string> ContentPolicyCodes = new(StringComparer.OrdinalIgnoreCase)
    {
        "content_policy_violation",
        "content_filter",
        "ResponsibleAIPolicyViolation",
    };

    private static readonly string[] ContentPolicyPhrases =
    [
        "content filtering policy", // Anthropic: "Output blocked by content filtering policy"
        "content management policy", // Azure OpenAI: "…triggering Azure OpenAI's content management policy"
        "content_policy_violation",
    ];

    /// <summary>
    /// The refusal (<see cref="Refusals"/>) a 4xx answer is, or null when it is none: a context window too small for
    /// the request (Anthropic <c>prompt is too long: N tokens &gt; M maximum</c> and <c>… exceed context limit: N + O &gt; M</c>;
    /// OpenAI and OpenAI-compatible servers <c>code: context_length_exceeded</c> / <c>maximum context length is M tokens</c>;
    /// Gemini <c>INVALID_ARGUMENT The input token count (N) exceeds the maximum number of tokens allowed (M)</c>), or
    /// a content-policy refusal (OpenAI <c>content_policy_violation</c>, Azure <c>content_filter</c>, Anthropic's
    /// content filtering policy). <see cref="Classify"/> calls both <see cref="Outcomes.BadRequest"/>: for a probe
    /// they are a misconfigured probe; a data plane asks this too, to act on them.
    /// </summary>
    public static string? ClassifyRefusal(int status, ProviderError? error)
    {
        if (error is null || status is not (400 or 403 or 413 or 422))
        {
            return null;
        }

        if (Same(error.Code, "context_length_exceeded") || Same(error.Type, "context_length_exceeded")
            || error.MessageContains("maximum context length")
            || error.MessageContains("prompt is too long")
            || error.MessageContains("exceed context limit")
            || (error.MessageContains("input token count") && error.MessageContains("maximum number of tokens")))
        {
            return Refusals.ContextWindow;
        }

        if ((error.Code is { } code && ContentPolicyCodes.Contains(code))
            || (error.Type is { } type && ContentPolicyCodes.Contains(type))
            || ContentPolicyPhrases.Any(error.MessageContains))
        {
            return Refusals.ContentPolicy;
        }

        return null;
    }

    /// <summary>
    /// The request size and the window a context-window refusal states (each null when its text does not say), so a
    /// data plane knows the refusing target's window even when the catalog does not.
    /// </summary>
    public static ContextWindowNumbers ContextWindowOf(ProviderError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message ?? "";
        if (AnthropicTooLong().Match(message) is { Success: true } anthropic)
        {
            return new(Number(anthropic.Groups["n"]), Number(anthropic.Groups["m"]));
        }

        if (AnthropicSum().Match(message) is { Success: true } sum)
        {
            var total = (long?)Number(sum.Groups["n"]) + Number(sum.Groups["o"]);
            return new(total is > int.MaxValue ? null : (int?)total, Number(sum.Groups["m"]));
        }

        if (Gemini().Match(message) is { Success: true } gemini)
        {
            return new(Number(gemini.Groups["n"]), Number(gemini.Groups["m"]));
        }

        if (OpenAiLimit().Match(message) is { Success: true } openAi)
        {
            var requested = OpenAiRequested().Match(message);
            return new(requested.Success ? Number(requested.Groups["n"]) : null, Number(openAi.Groups["m"]));
        }

        return new(null, null);
    }

    private static int? Number(Group group) =>
        group.Success && int.TryParse(group.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    [GeneratedRegex(@"prompt is too long: (?<n>\d+) tokens > (?<m>\d+) maximum", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnthropicTooLong();

    [GeneratedRegex(@"exceed context limit: (?<n>\d+) \+ (?<o>\d+) > (?<m>\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AnthropicSum();

    [GeneratedRegex(@"input token count \((?<n>\d+)\) exceeds the maximum number of tokens allowed \((?<m>\d+)\)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Gemini();

    [GeneratedRegex(@"maximum context length is (?<m>\d+) tokens", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OpenAiLimit();

    // "However, your messages resulted in N tokens" or "However, you requested N tokens (X in the messages, Y in the completion)".
    [GeneratedRegex(@"(?:resulted in|you requested) (?<n>\d+) tokens", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OpenAiRequested();
}
