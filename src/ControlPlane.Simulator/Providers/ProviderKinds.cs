namespace ControlPlane.Simulator.Providers;

internal enum SimulatedProviderKind
{
    Anthropic,
    OpenAi,
    Gemini,
    OpenAiCompatible,
}

internal static class ProviderKinds
{
    public static IReadOnlyList<string> Names { get; } = ["anthropic", "openai", "gemini", "openai-compatible"];

    public static bool TryParse(string? value, out SimulatedProviderKind kind)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "anthropic":
                kind = SimulatedProviderKind.Anthropic;
                return true;
            case "openai":
                kind = SimulatedProviderKind.OpenAi;
                return true;
            case "gemini":
                kind = SimulatedProviderKind.Gemini;
                return true;
            case "openai-compatible":
                kind = SimulatedProviderKind.OpenAiCompatible;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    public static string Name(this SimulatedProviderKind kind) => kind switch
    {
        SimulatedProviderKind.Anthropic => "anthropic",
        SimulatedProviderKind.OpenAi => "openai",
        SimulatedProviderKind.Gemini => "gemini",
        _ => "openai-compatible",
    };
}
