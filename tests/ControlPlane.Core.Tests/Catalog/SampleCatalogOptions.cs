using ControlPlane.Core.Catalog;

namespace ControlPlane.Core.Tests.Catalog;

/// <summary>Catalog options as an operator writes them: three providers (one local) and one target on each.</summary>
internal static class SampleCatalogOptions
{
    /// <summary>Every key variable and key file is present.</summary>
    public sealed class AllKeysSet : IKeySourceProbe
    {
        public bool EnvironmentVariableIsSet(string name) => true;

        public bool FileHasContent(string path) => true;
    }

    public static List<ProviderOptions> Providers() =>
    [
        new() { Id = "anthropic", Kind = "anthropic", BaseUrl = "https://api.anthropic.com", ApiKeyEnv = "ANTHROPIC_KEY" },
        new() { Id = "openai", Kind = "openai", BaseUrl = "https://api.openai.com", ApiKeyEnv = "OPENAI_KEY" },
        new() { Id = "local", Kind = "openai-compatible", BaseUrl = "http://127.0.0.1:11434" },
    ];

    /// <summary><c>anthropic/claude-sonnet-4-5</c>, <c>openai/gpt-4.1</c> and <c>llama</c> (the local model).</summary>
    public static List<TargetOptions> Targets() =>
    [
        new() { Provider = "anthropic", Model = "claude-sonnet-4-5" },
        new() { Provider = "openai", Model = "gpt-4.1" },
        new() { Id = "llama", Provider = "local", Model = "llama3.1:8b" },
    ];
}
