using ControlPlane.Simulator.Providers.Validation;
using ControlPlane.Simulator.Providers.Wire;

namespace ControlPlane.Simulator.Providers;

internal enum AuthScheme
{
    /// OpenAI: Authorization: Bearer.
    Bearer,

    /// Anthropic: current SDKs and the OpenAI SDK send Bearer, older tooling and curl examples send x-api-key.
    BearerOrXApiKey,

    /// Gemini: x-goog-api-key header or ?key= query parameter.
    GoogleApiKey,
}

/// One API family as served at some path prefix: its wire format, how it authenticates and, where the simulator is
/// as strict as the real API, the validator of its request bodies.
internal sealed record ApiSurface(IWireFormat Wire, AuthScheme Auth, bool RequiresAnthropicVersion = false, IRequestValidator? Validator = null);

/// What a request asks for, independent of the wire format.
internal abstract record Operation
{
    /// A completion; with CountTokens, Anthropic's count_tokens (validated like a completion, answered with a count).
    public sealed record Complete(string? RouteModel = null, bool? Stream = null, bool JsonArrayStream = false, bool CountTokens = false) : Operation;

    public sealed record ListModels : Operation;

    public sealed record GetModel(string Model) : Operation;

    public sealed record UnknownPath : Operation;
}
