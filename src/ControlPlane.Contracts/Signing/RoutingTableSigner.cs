using System.Security.Cryptography;

namespace ControlPlane.Contracts;

/// <summary>
/// Signs <see cref="RoutingTableChanged"/> messages: ECDSA P-256 with SHA-256 over
/// <see cref="CanonicalJson.SigningInput(RoutingTableChanged)"/>, IEEE P1363 (r‖s, 64 bytes), base64.
/// </summary>
/// <remarks>Publish the bytes of <see cref="ContractsJson.Serialize(RoutingTableChanged)"/> of the signed message.
/// Thread-safe.</remarks>
public sealed class RoutingTableSigner
{
    private readonly ECDsa _privateKey;
    private readonly Lock _lock = new();

    /// <summary>Creates a signer.</summary>
    /// <param name="privateKey">A P-256 private key (the signer does not own or dispose it).</param>
    /// <param name="keyId">Id subscribers know the matching public key by.</param>
    public RoutingTableSigner(ECDsa privateKey, string keyId)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        if (privateKey.KeySize != 256)
        {
            throw new ArgumentException("Routing tables are signed with ECDSA P-256.", nameof(privateKey));
        }

        _privateKey = privateKey;
        KeyId = keyId;
    }

    /// <summary>Id written to <see cref="RoutingTableChanged.KeyId"/>.</summary>
    public string KeyId { get; }

    /// <summary>Returns the message with <see cref="RoutingTableChanged.KeyId"/> and <see cref="RoutingTableChanged.Signature"/> set.</summary>
    public RoutingTableChanged Sign(RoutingTableChanged message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var unsigned = message with { KeyId = KeyId, Signature = "" };
        var input = CanonicalJson.SigningInput(unsigned);
        byte[] signature;
        lock (_lock)
        {
            signature = _privateKey.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        return unsigned with { Signature = Convert.ToBase64String(signature) };
    }
}
