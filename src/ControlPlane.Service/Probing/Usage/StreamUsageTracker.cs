using System.Text.Json;
using ControlPlane.Contracts.Providers;
using ControlPlane.Core.Probing;

namespace ControlPlane.Service.Probing.Usage;

/// <summary>
/// Follows a streamed answer's usage event by event. Anthropic sends it in <c>message_start</c> (input, a provisional
/// output) and again, cumulative, in <c>message_delta</c>; OpenAI in the last chunk before <c>[DONE]</c> when asked
/// with <c>stream_options.include_usage</c> (the others carry <c>"usage": null</c>); Gemini in every chunk's
/// <c>usageMetadata</c>, the last one complete. So the latest report wins.
/// </summary>
internal sealed class StreamUsageTracker(ProviderKind kind)
{
    private AnthropicCounts? _anthropic;

    /// <summary>What the stream has reported so far; null until it reports anything.</summary>
    public ProbeUsage? Usage { get; private set; }

    /// <summary>Reads one event's data; anything that is not a JSON object (OpenAI's <c>[DONE]</c>) is ignored.</summary>
    public ProbeUsage? Read(string data)
    {
        if (!data.AsSpan().TrimStart().StartsWith("{"))
        {
            return Usage;
        }

        try
        {
            using var document = JsonDocument.Parse(data);
            Usage = kind == ProviderKind.Anthropic ? ReadAnthropic(document.RootElement) : ProbeUsageReader.FromAnswer(kind, document.RootElement) ?? Usage;
        }
        catch (JsonException)
        {
            // A malformed event is the stream reader's to report; it says nothing about usage.
        }

        return Usage;
    }

    private ProbeUsage? ReadAnthropic(JsonElement root)
    {
        var usage = root.TryGetProperty("type", out var type) && type.ValueEquals("message_start")
            ? ProbeUsageReader.Property(root, "message") is { } message ? ProbeUsageReader.Property(message, "usage") : null
            : ProbeUsageReader.Property(root, "usage");
        if (usage is { } found)
        {
            _anthropic = ProbeUsageReader.Anthropic(found, _anthropic);
        }

        return _anthropic?.ToUsage();
    }
}
