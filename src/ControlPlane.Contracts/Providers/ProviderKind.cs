namespace ControlPlane.Contracts.Providers;

/// <summary>The wire API family a provider speaks. Declared once here for the control plane, the gateway and the simulator.</summary>
public enum ProviderKind
{
    /// <summary>Anthropic Messages API.</summary>
    Anthropic,

    /// <summary>OpenAI Chat Completions / Responses.</summary>
    OpenAI,

    /// <summary>Google Gemini API (generateContent and its OpenAI-compatible surface).</summary>
    Gemini,

    /// <summary>Ollama, vLLM, LM Studio, llamafile and friends: OpenAI wire format, key optional.</summary>
    OpenAICompatible,
}

/// <summary>The configuration names of <see cref="ProviderKind"/> (<c>Kind: openai</c> in a catalog or gateway config).</summary>
public static class ProviderKinds
{
    private static readonly Dictionary<string, ProviderKind> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["anthropic"] = ProviderKind.Anthropic,
        ["openai"] = ProviderKind.OpenAI,
        ["gemini"] = ProviderKind.Gemini,
        ["openai-compatible"] = ProviderKind.OpenAICompatible,
    };

    /// <summary>Every configuration name, for error messages that list the choices.</summary>
    public static IReadOnlyCollection<string> Names => ByName.Keys;

    /// <summary>Parses a configuration name (case-insensitive, surrounding white space ignored).</summary>
    public static bool TryParse(string? name, out ProviderKind kind) => ByName.TryGetValue(name?.Trim() ?? "", out kind);

    /// <summary>The configuration name of a kind.</summary>
    public static string ToName(this ProviderKind kind) => kind switch
    {
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.OpenAI => "openai",
        ProviderKind.Gemini => "gemini",
        ProviderKind.OpenAICompatible => "openai-compatible",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Local model servers usually run without a key; the cloud APIs never do.</summary>
    public static bool RequiresApiKey(this ProviderKind kind) => kind != ProviderKind.OpenAICompatible;
}
