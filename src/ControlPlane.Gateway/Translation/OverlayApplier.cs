using ControlPlane.Contracts;

namespace ControlPlane.Gateway.Translation;

/// <summary>
/// Applies a target's overlay (from the routing table) to a request bound for it, so one client prompt tuned for one
/// model keeps working on another. Pure. Order: removals, then defaults (only where the client set nothing), then
/// clamps (which also bound a value a default supplied), then the system prompt. Headers are the pipeline's job.
/// </summary>
internal static class OverlayApplier
{
    public static ChatRequest Apply(ChatRequest request, TargetOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(overlay);

        var result = Remove(request, overlay.Remove);

        if (overlay.Defaults is { } defaults)
        {
            result = result with
            {
                MaxTokens = result.MaxTokens ?? defaults.MaxTokens,
                // A removed parameter stays removed: a default does not bring it back.
                Temperature = result.Temperature ?? (Removes(overlay, OverlayRemovals.Temperature) ? null : FromMilli(defaults.TemperatureMilli)),
                TopP = result.TopP ?? (Removes(overlay, OverlayRemovals.TopP) ? null : FromMilli(defaults.TopPMilli)),
                Reasoning = result.Reasoning
                    ?? (defaults.ReasoningEffort is { } effort && !Removes(overlay, OverlayRemovals.Reasoning) ? new Reasoning(effort, null) : null),
            };
        }

        if (overlay.Clamps is { } clamps)
        {
            if (clamps.MaxTokens is { } ceiling && result.MaxTokens > ceiling)
            {
                result = result with { MaxTokens = ceiling };
            }

            if (result.Temperature is { } temperature)
            {
                var min = FromMilli(clamps.TemperatureMinMilli) ?? temperature;
                var max = FromMilli(clamps.TemperatureMaxMilli) ?? temperature;
                result = result with { Temperature = Math.Min(Math.Max(temperature, min), max) };
            }
        }

        if (overlay.SystemPrompt is { } prompt)
        {
            result = result with
            {
                System = prompt.Mode switch
                {
                    SystemPromptModes.Prepend => [prompt.Text, .. result.System],
                    SystemPromptModes.Append => [.. result.System, prompt.Text],
                    SystemPromptModes.Replace => [prompt.Text],
                    // A mode from a newer control plane: leaving the prompt alone beats guessing.
                    _ => result.System,
                },
            };
        }

        return result;
    }

    private static ChatRequest Remove(ChatRequest request, IReadOnlyList<string> removals)
    {
        var result = request;
        foreach (var removal in removals)
        {
            result = removal switch
            {
                OverlayRemovals.Temperature => result with { Temperature = null },
                OverlayRemovals.TopP => result with { TopP = null },
                OverlayRemovals.TopK => result with { TopK = null },
                OverlayRemovals.Stop => result with { StopSequences = [] },
                OverlayRemovals.Reasoning => result with { Reasoning = null },
                OverlayRemovals.ResponseFormat => result with { ResponseFormat = null },
                // Without tools a tool choice or a parallel-calls flag would name what is not there.
                OverlayRemovals.Tools => result with { Tools = [], ToolChoice = null, ParallelToolCalls = null },
                OverlayRemovals.ParallelToolCalls => result with { ParallelToolCalls = null },
                OverlayRemovals.User => result with { User = null },
                _ => result, // Unknown to this gateway (a newer control plane): ignore rather than fail the request.
            };
        }

        return result;
    }

    private static bool Removes(TargetOverlay overlay, string parameter) => overlay.Remove.Contains(parameter, StringComparer.Ordinal);

    private static double? FromMilli(int? milli) => milli / 1000.0;
}
