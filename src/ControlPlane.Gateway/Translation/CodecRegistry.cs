using ControlPlane.Gateway.Upstreams;

namespace ControlPlane.Gateway.Translation;

/// <summary>The codec of every client API the gateway serves and of every provider kind it calls.</summary>
internal sealed class CodecRegistry(
    IReadOnlyDictionary<ApiFormat, IClientCodec> clients,
    IReadOnlyDictionary<ProviderKind, IProviderCodec> providers)
{
    public IClientCodec Client(ApiFormat format) =>
        clients.TryGetValue(format, out var codec) ? codec : throw new InvalidOperationException($"No client codec for {format}.");

    public IProviderCodec Provider(ProviderKind kind) =>
        providers.TryGetValue(kind, out var codec) ? codec : throw new InvalidOperationException($"No provider codec for {kind}.");
}
