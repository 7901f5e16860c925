namespace ControlPlane.Simulator;

/// Configuration section "Simulator": the fake providers to run and where the chaos API listens.
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    public List<SimulatedProviderOptions> Providers { get; set; } = [];

    /// Port of the chaos API; 0 picks a free one.
    public int ControlPort { get; set; }

    /// Base seed of the per-provider random streams that decide which requests a partial failure rate hits.
    public int Seed { get; set; } = 42;
}

public sealed class SimulatedProviderOptions
{
    public string Id { get; set; } = "";

    /// anthropic | openai | gemini | openai-compatible
    public string Kind { get; set; } = "openai";

    /// Port of this provider's own listener; 0 picks a free one (kept across refuse/restart).
    public int Port { get; set; }

    /// Null means no auth check, like a local openai-compatible server (Ollama, vLLM).
    public string? ApiKey { get; set; }

    public List<string> Models { get; set; } = [];

    /// Context window in tokens per model id, overriding the real model's (small ones let tests overflow them cheaply).
    /// A model with neither answers any prompt length.
    public Dictionary<string, int> ContextWindows { get; set; } = [];

    /// Phrases this provider's content policy refuses: a request whose last user turn contains one (ignoring case) gets
    /// the API's own content-policy error, as a provider's moderation would answer it. Gemini blocks with a 200 and
    /// promptFeedback instead, which the simulator does not imitate, so a Gemini provider ignores this.
    public List<string> RefusedPhrases { get; set; } = [];
}
