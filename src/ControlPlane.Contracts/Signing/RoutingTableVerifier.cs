using System.Security.Cryptography;
using System.Text.Json;

namespace ControlPlane.Contracts;

/// <summary>Outcome of verifying a <see cref="RoutingTableChanged"/>.</summary>
public enum VerificationResult
{
    /// <summary>Signed by a trusted key and intact.</summary>
    Valid,

    /// <summary>Signed with a key id that is not trusted.</summary>
    UnknownKeyId,

    /// <summary>The signature does not match the content (tampered, replayed under another version, wrong key…).</summary>
    BadSignature,

    /// <summary>Not JSON, not a valid message, or a signature that is not base64.</summary>
    Malformed,
}

/// <summary>Result of <see cref="RoutingTableVerifier.Verify(ReadOnlySpan{byte})"/>.</summary>
/// <param name="Result">The verdict.</param>
/// <param name="Message">The parsed message when it could be read (even if the signature is bad), else null.</param>
/// <param name="Detail">Why it is not valid, for logs and status reports; null when valid.</param>
public sealed record RoutingTableVerification(VerificationResult Result, RoutingTableChanged? Message, string? Detail)
{
    /// <summary>True when <see cref="Result"/> is <see cref="VerificationResult.Valid"/>.</summary>
    public bool IsValid => Result == VerificationResult.Valid;
}

/// <summary>
/// Verifies <see cref="RoutingTableChanged"/> signatures against a set of trusted public keys by key id, so keys
/// rotate by trusting the new id before the control plane switches to it. Thread-safe.
/// </summary>
public sealed class RoutingTableVerifier
{
    private readonly Dictionary<string, ECDsa> _keys;

    /// <summary>Creates a verifier from loaded P-256 public keys (not owned: the caller disposes them).</summary>
    public RoutingTableVerifier(IReadOnlyDictionary<string, ECDsa> trustedKeys)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        _keys = new Dictionary<string, ECDsa>(trustedKeys, StringComparer.Ordinal);
    }

    /// <summary>Creates a verifier from SubjectPublicKeyInfo PEM text per key id.</summary>
    /// <exception cref="ArgumentException">A PEM is not a P-256 public key.</exception>
    public static RoutingTableVerifier FromPem(IReadOnlyDictionary<string, string> trustedPublicKeyPems)
    {
        ArgumentNullException.ThrowIfNull(trustedPublicKeyPems);
        return new RoutingTableVerifier(trustedPublicKeyPems.ToDictionary(
            kv => kv.Key, kv => SigningKeys.LoadPublicKeyPem(kv.Value), StringComparer.Ordinal));
    }

    /// <summary>Key ids this verifier trusts.</summary>
    public IReadOnlyCollection<string> TrustedKeyIds => _keys.Keys;

    /// <summary>Verifies a message as received (raw UTF-8 JSON) — the form subscribers should verify.</summary>
    public RoutingTableVerification Verify(ReadOnlySpan<byte> utf8Json)
    {
        RoutingTableChanged message;
        byte[] input;
        try
        {
            message = ContractsJson.DeserializeRoutingTableChanged(utf8Json);
            input = CanonicalJson.SigningInput(utf8Json);
        }
        catch (Exception e) when (e is JsonException or CanonicalJsonException or NotSupportedException or ArgumentException or InvalidOperationException)
        {
            return new RoutingTableVerification(VerificationResult.Malformed, null, e.Message);
        }

        // Shape before trust: an empty or truncated signature is a malformed message whatever key it names.
        var signature = new byte[64];
        if (!Convert.TryFromBase64String(message.Signature, signature, out var written) || written != 64)
        {
            return new RoutingTableVerification(VerificationResult.Malformed, message, "the signature is not 64 bytes of base64");
        }

        if (!_keys.TryGetValue(message.KeyId, out var key))
        {
            return new RoutingTableVerification(VerificationResult.UnknownKeyId, message, "the key id is not trusted");
        }

        bool valid;
        lock (key)
        {
            valid = key.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        return valid
            ? new RoutingTableVerification(VerificationResult.Valid, message, null)
            : new RoutingTableVerification(VerificationResult.BadSignature, message, "the signature does not match the content");
    }

    /// <summary>Verifies a message in memory (serialized with <see cref="ContractsJson"/> first).</summary>
    public VerificationResult Verify(RoutingTableChanged message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Verify(ContractsJson.Serialize(message)).Result;
    }
}
