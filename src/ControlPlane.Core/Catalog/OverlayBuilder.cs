using System.Globalization;
using ControlPlane.Contracts;

namespace ControlPlane.Core.Catalog;

/// <summary>
/// Validates, merges and compiles overlays (<see cref="OverlayOptions"/> → <see cref="TargetOverlay"/>). Problems are
/// added to the caller's list, never thrown, so the catalog reports all of them at once.
/// </summary>
internal static class OverlayBuilder
{
    /// <summary>System prompts travel in every table to every gateway: keep them to a prompt, not a document.</summary>
    public const int MaxSystemPromptLength = 32_768;

    /// <summary>Signed content holds no fractions: temperatures and top_p travel as thousandths.</summary>
    private const int Milli = 1000;

    // Credentials must never ride in a table that goes to every gateway, and hop-by-hop or framing headers belong to
    // the HTTP stack: an overlay setting them would break or hijack the request.
    private static readonly HashSet<string> ForbiddenHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "ocp-apim-subscription-key",
        "x-amz-security-token", "cookie", "set-cookie",
        "host", "content-length", "content-type", "content-encoding", "connection", "keep-alive", "proxy-connection",
        "transfer-encoding", "te", "trailer", "upgrade", "expect",
    };

    private static readonly string[] CredentialHints = ["api-key", "apikey", "secret", "password", "access-token", "auth-token"];

    /// <summary>Checks each field on its own (modes, ranges, removals, headers). Does not check one field against another.</summary>
    public static void ValidateFields(OverlayOptions overlay, string where, List<string> errors)
    {
        if (overlay.SystemPrompt is { } prompt)
        {
            if (prompt.Mode is not null && !SystemPromptModes.All.Contains(prompt.Mode.ToLowerInvariant()))
            {
                errors.Add($"{where}:SystemPrompt:Mode: unknown mode '{prompt.Mode}'; expected {string.Join(", ", SystemPromptModes.All)}.");
            }

            if (prompt.Text is not null)
            {
                if (string.IsNullOrWhiteSpace(prompt.Text))
                {
                    errors.Add($"{where}:SystemPrompt:Text must not be empty.");
                }
                else if (prompt.Text.Length > MaxSystemPromptLength)
                {
                    errors.Add($"{where}:SystemPrompt:Text is {prompt.Text.Length} characters; at most {MaxSystemPromptLength} (it travels in every routing table).");
                }
                else if (HasUnpairedSurrogate(prompt.Text))
                {
                    errors.Add($"{where}:SystemPrompt:Text contains an unpaired surrogate (not valid Unicode; it could not be signed).");
                }
            }
        }

        if (overlay.Defaults is { } defaults)
        {
            CheckMaxTokens(defaults.MaxTokens, $"{where}:Defaults:MaxTokens", errors);
            ToMilli(defaults.Temperature, 2, $"{where}:Defaults:Temperature", errors);
            ToMilli(defaults.TopP, 1, $"{where}:Defaults:TopP", errors);
            if (defaults.ReasoningEffort is not null && !ReasoningEfforts.All.Contains(defaults.ReasoningEffort.ToLowerInvariant()))
            {
                errors.Add($"{where}:Defaults:ReasoningEffort: unknown effort '{defaults.ReasoningEffort}'; expected {string.Join(", ", ReasoningEfforts.All)}.");
            }
        }

        if (overlay.Clamps is { } clamps)
        {
            CheckMaxTokens(clamps.MaxTokens, $"{where}:Clamps:MaxTokens", errors);
            ToMilli(clamps.TemperatureMin, 2, $"{where}:Clamps:TemperatureMin", errors);
            ToMilli(clamps.TemperatureMax, 2, $"{where}:Clamps:TemperatureMax", errors);
        }

        for (var i = 0; i < (overlay.Remove?.Count ?? 0); i++)
        {
            var name = overlay.Remove![i];
            if (name is null || !OverlayRemovals.All.Contains(name.ToLowerInvariant()))
            {
                errors.Add($"{where}:Remove:{i}: unknown parameter '{name}'; expected one of {string.Join(", ", OverlayRemovals.All)}.");
            }
        }

        foreach (var (name, value) in overlay.Headers ?? [])
        {
            ValidateHeader(name, value, $"{where}:Headers", errors);
        }
    }

    /// <summary>Checks the fields of an (effective) overlay against each other: prompt complete, min ≤ max, defaults within clamps.</summary>
    public static void ValidateConsistency(OverlayOptions overlay, string where, List<string> errors)
    {
        if (overlay.SystemPrompt is { } prompt)
        {
            if (prompt.Mode is null && prompt.Text is not null)
            {
                errors.Add($"{where}:SystemPrompt: Text is set but Mode is not; expected {string.Join(", ", SystemPromptModes.All)}.");
            }
            else if (prompt.Mode is not null && prompt.Text is null)
            {
                errors.Add($"{where}:SystemPrompt: Mode is set but Text is not.");
            }
        }

        var min = overlay.Clamps?.TemperatureMin;
        var max = overlay.Clamps?.TemperatureMax;
        if (min > max)
        {
            errors.Add($"{where}:Clamps: TemperatureMin ({Format(min)}) must not exceed TemperatureMax ({Format(max)}).");
        }

        if (overlay.Defaults?.Temperature is { } temperature && (temperature < min || temperature > max))
        {
            errors.Add($"{where}:Defaults:Temperature ({Format(temperature)}) is outside the clamps [{Format(min) ?? "0"}, {Format(max) ?? "2"}].");
        }

        if (overlay.Defaults?.MaxTokens is { } maxTokens && overlay.Clamps?.MaxTokens is { } ceiling && maxTokens > ceiling)
        {
            errors.Add($"{where}:Defaults:MaxTokens ({maxTokens}) exceeds Clamps:MaxTokens ({ceiling}).");
        }
    }

    /// <summary>The route entry's overlay laid over the target's, field by field. <c>Remove</c>, when the entry sets it, replaces the target's list.</summary>
    public static OverlayOptions? Merge(OverlayOptions? target, OverlayOptions? entry)
    {
        if (target is null || entry is null)
        {
            return entry ?? target;
        }

        Dictionary<string, string>? headers = null;
        if (target.Headers is not null || entry.Headers is not null)
        {
            headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in (target.Headers ?? []).Concat(entry.Headers ?? []))
            {
                headers[name] = value;
            }
        }

        return new OverlayOptions
        {
            SystemPrompt = target.SystemPrompt is null && entry.SystemPrompt is null ? null : new SystemPromptOptions
            {
                Mode = entry.SystemPrompt?.Mode ?? target.SystemPrompt?.Mode,
                Text = entry.SystemPrompt?.Text ?? target.SystemPrompt?.Text,
            },
            Defaults = target.Defaults is null && entry.Defaults is null ? null : new OverlayDefaultsOptions
            {
                MaxTokens = entry.Defaults?.MaxTokens ?? target.Defaults?.MaxTokens,
                Temperature = entry.Defaults?.Temperature ?? target.Defaults?.Temperature,
                TopP = entry.Defaults?.TopP ?? target.Defaults?.TopP,
                ReasoningEffort = entry.Defaults?.ReasoningEffort ?? target.Defaults?.ReasoningEffort,
            },
            Clamps = target.Clamps is null && entry.Clamps is null ? null : new OverlayClampsOptions
            {
                MaxTokens = entry.Clamps?.MaxTokens ?? target.Clamps?.MaxTokens,
                TemperatureMin = entry.Clamps?.TemperatureMin ?? target.Clamps?.TemperatureMin,
                TemperatureMax = entry.Clamps?.TemperatureMax ?? target.Clamps?.TemperatureMax,
            },
            Remove = entry.Remove ?? target.Remove,
            Headers = headers,
        };
    }

    /// <summary>The wire form of a validated overlay; null when it changes nothing.</summary>
    public static TargetOverlay? Compile(OverlayOptions? overlay)
    {
        if (overlay is null)
        {
            return null;
        }

        var discard = new List<string>();
        var prompt = overlay.SystemPrompt is { Mode: { } mode, Text: { } text }
            ? new SystemPromptOverlay { Mode = mode.ToLowerInvariant(), Text = text }
            : null;
        var d = overlay.Defaults;
        var defaults = d is null || (d.MaxTokens, d.Temperature, d.TopP, d.ReasoningEffort) == (null, null, null, null) ? null : new OverlayDefaults
        {
            MaxTokens = d.MaxTokens,
            TemperatureMilli = ToMilli(d.Temperature, 2, "", discard),
            TopPMilli = ToMilli(d.TopP, 1, "", discard),
            ReasoningEffort = d.ReasoningEffort?.ToLowerInvariant(),
        };
        var c = overlay.Clamps;
        var clamps = c is null || (c.MaxTokens, c.TemperatureMin, c.TemperatureMax) == (null, null, null) ? null : new OverlayClamps
        {
            MaxTokens = c.MaxTokens,
            TemperatureMinMilli = ToMilli(c.TemperatureMin, 2, "", discard),
            TemperatureMaxMilli = ToMilli(c.TemperatureMax, 2, "", discard),
        };
        // Canonical order (the closed set's), so equal overlays compare and hash equal whatever order config used.
        var remove = OverlayRemovals.All
            .Where(r => overlay.Remove?.Any(x => string.Equals(x, r, StringComparison.OrdinalIgnoreCase)) == true)
            .ToList();
        var headers = (overlay.Headers ?? [])
            .OrderBy(h => h.Key.ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value, StringComparer.Ordinal);

        return prompt is null && defaults is null && clamps is null && remove.Count == 0 && headers.Count == 0
            ? null
            : new TargetOverlay { SystemPrompt = prompt, Defaults = defaults, Clamps = clamps, Remove = remove, Headers = headers };
    }

    private static void CheckMaxTokens(int? value, string where, List<string> errors)
    {
        if (value <= 0)
        {
            errors.Add($"{where} must be at least 1 (was {value}).");
        }
    }

    private static int? ToMilli(double? value, int max, string where, List<string> errors)
    {
        if (value is not { } v)
        {
            return null;
        }

        if (double.IsNaN(v) || v < 0 || v > max)
        {
            errors.Add($"{where} must be between 0 and {max} (was {Format(v)}).");
            return null;
        }

        var scaled = v * Milli;
        var rounded = Math.Round(scaled);
        if (Math.Abs(scaled - rounded) > 1e-6)
        {
            errors.Add($"{where} may have at most three decimal places (was {Format(v)}).");
            return null;
        }

        return (int)rounded;
    }

    private static void ValidateHeader(string name, string? value, string where, List<string> errors)
    {
        if (name.Length == 0 || !name.All(IsTokenChar))
        {
            errors.Add($"{where}: '{name}' is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only).");
            return;
        }

        if (name.All(char.IsAsciiDigit))
        {
            // JavaScript enumerates integer-like keys first, so JSON.stringify would no longer give the canonical form.
            errors.Add($"{where}: header name '{name}' must not be all digits.");
        }
        else if (ForbiddenHeaders.Contains(name) || CredentialHints.Any(h => name.Contains(h, StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"{where}: header '{name}' is a credential or hop-by-hop header; overlays travel signed to every gateway and may not set it.");
        }

        if (value is null || value.Any(c => c is '\r' or '\n' or '\0'))
        {
            errors.Add($"{where}:{name}: the value must be present and contain no CR, LF or NUL.");
        }
        else if (HasUnpairedSurrogate(value))
        {
            errors.Add($"{where}:{name}: the value contains an unpaired surrogate.");
        }
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    internal static bool HasUnpairedSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Format(double? value) => value?.ToString(CultureInfo.InvariantCulture);
}
