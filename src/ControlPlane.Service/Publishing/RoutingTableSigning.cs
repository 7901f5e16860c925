using System.Security.Cryptography;
using System.Text;
using ControlPlane.Contracts;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Publishing;

/// <summary>Builds and signs RoutingTableChanged messages with the configured key. The private key never leaves this class.</summary>
public sealed class RoutingTableSigning : IDisposable
{
    private readonly ECDsa _key;
    private readonly RoutingTableSigner _signer;

    public RoutingTableSigning(IOptions<PublishingOptions> options)
    {
        var o = options.Value;
        _key = SigningKeys.LoadPrivateKeyPem(o.SigningKeyFile is { Length: > 0 } file ? File.ReadAllText(file) : o.SigningKeyPem!);
        _signer = new RoutingTableSigner(_key, o.SigningKeyId!);
        PublicKeyPem = SigningKeys.ExportPublicKeyPem(_key);
    }

    public string KeyId => _signer.KeyId;

    public string PublicKeyPem { get; }

    /// <summary>The signed message and its exact JSON, which is what is stored in the outbox and sent.</summary>
    public (RoutingTableChanged Message, string Json) Sign(
        long version, long? previousVersion, DateTimeOffset issuedAt, RoutingTable table, IReadOnlyList<RoutingChange> changes)
    {
        var signed = _signer.Sign(new RoutingTableChanged
        {
            Version = version,
            PreviousVersion = previousVersion,
            IssuedAt = issuedAt,
            Table = table,
            Changes = changes,
            KeyId = _signer.KeyId,
            Signature = "",
        });
        return (signed, Encoding.UTF8.GetString(ContractsJson.Serialize(signed)));
    }

    public void Dispose() => _key.Dispose();
}
