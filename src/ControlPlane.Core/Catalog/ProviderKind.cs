namespace ControlPlane.Core.Catalog;

public enum ProviderKind
{
    Anthropic,
    OpenAI,
    Gemini,

    /// <summary>Ollama, vLLM, LM Studio, llamafile and friends: OpenAI wire format, key optional.</summary>
    OpenAICompatible,
}

public static class ProviderKinds
{
    private static readonly Dictionary<string, ProviderKind> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["anthropic"] = ProviderKind.Anthropic,
        ["openai"] = ProviderKind.OpenAI,
        ["gemini"] = ProviderKind.Gemini,
        ["openai-compatible"] = ProviderKind.OpenAICompatible,
    };

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static bool TryParse(string? name, out ProviderKind kind) => ByName.TryGetValue(name ?? "", out kind);

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
