using System.Text.Json;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Probing.Usage;

/// <summary>
/// Reads the tokens a probe's answer says it spent, per API, into the disjoint counts of <see cref="ProbeUsage"/>:
/// <list type="bullet">
/// <item>Anthropic <c>usage</c>: input is <c>input_tokens</c> plus the cache writes and reads (both billed as input);
/// <c>output_tokens</c> already includes any thinking and is not split, so reasoning stays 0.</item>
/// <item>OpenAI Chat <c>usage</c>: <c>completion_tokens</c> includes <c>completion_tokens_details.reasoning_tokens</c>,
/// so output is the difference.</item>
/// <item>Gemini <c>usageMetadata</c>: <c>thoughtsTokenCount</c> comes on top of <c>candidatesTokenCount</c>; tool-use
/// prompt tokens are input.</item>
/// </list>
/// An answer without usage reads as null: nothing is guessed.
/// </summary>
internal static class ProbeUsageReader
{
    /// <summary>The usage of a complete (non-streamed) inference answer; null when it has none or is not JSON.</summary>
    public static ProbeUsage? FromBody(ProviderKind kind, string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return FromAnswer(kind, document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The usage carried by one answer object (a whole answer, or one stream chunk for OpenAI and Gemini).</summary>
    public static ProbeUsage? FromAnswer(ProviderKind kind, JsonElement answer)
    {
        if (answer.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        return kind switch
        {
            ProviderKind.Anthropic => Property(answer, "usage") is { } usage ? Anthropic(usage)?.ToUsage() : null,
            ProviderKind.Gemini => Property(answer, "usageMetadata") is { } metadata ? Gemini(metadata) : null,
            _ => Property(answer, "usage") is { } usage ? OpenAI(usage) : null,
        };
    }

    /// <summary>
    /// Anthropic's usage object, field by field. In a stream, <c>message_delta</c>'s counts are cumulative and may
    /// leave fields out, so each field it does not give keeps its value from <paramref name="previous"/>
    /// (<c>message_start</c>'s counts).
    /// </summary>
    internal static AnthropicCounts? Anthropic(JsonElement usage, AnthropicCounts? previous = null)
    {
        var counts = new AnthropicCounts(
            Int(usage, "input_tokens") ?? previous?.Input,
            Int(usage, "cache_creation_input_tokens") ?? previous?.CacheWrite,
            Int(usage, "cache_read_input_tokens") ?? previous?.CacheRead,
            Int(usage, "output_tokens") ?? previous?.Output);
        return counts is { Input: null, CacheWrite: null, CacheRead: null, Output: null } ? previous : counts;
    }

    private static ProbeUsage? OpenAI(JsonElement usage)
    {
        var prompt = Int(usage, "prompt_tokens");
        var completion = Int(usage, "completion_tokens");
        if (prompt is null && completion is null)
        {
            return null;
        }

        var reasoning = Property(usage, "completion_tokens_details") is { } details ? Int(details, "reasoning_tokens") ?? 0 : 0;
        var total = completion ?? 0;

        // completion_tokens counts the reasoning too; a server that reports more reasoning than completion is
        // believed on the reasoning, never made to report a negative answer.
        return new ProbeUsage(prompt ?? 0, Math.Max(0, total - reasoning), reasoning);
    }

    private static ProbeUsage? Gemini(JsonElement metadata)
    {
        var prompt = Int(metadata, "promptTokenCount");
        var candidates = Int(metadata, "candidatesTokenCount");
        var thoughts = Int(metadata, "thoughtsTokenCount");
        var toolPrompt = Int(metadata, "toolUsePromptTokenCount");
        if (prompt is null && candidates is null && thoughts is null)
        {
            return null;
        }

        return new ProbeUsage(Sum(prompt, toolPrompt), candidates ?? 0, thoughts ?? 0);
    }

    internal static JsonElement? Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= 0
            ? number
            : null;

    internal static int Sum(params ReadOnlySpan<int?> parts)
    {
        var total = 0L;
        foreach (var part in parts)
        {
            total += part ?? 0;
        }

        return (int)Math.Min(total, int.MaxValue);
    }
}

/// <summary>Anthropic's usage fields as reported; a stream fills them in over several events.</summary>
internal sealed record AnthropicCounts(int? Input, int? CacheWrite, int? CacheRead, int? Output)
{
    /// <summary>Cache writes and reads are input too (billed at their own rates, counted here as input).</summary>
    public ProbeUsage ToUsage() => new(ProbeUsageReader.Sum(Input, CacheWrite, CacheRead), Output ?? 0);
}
