using System.Security.Cryptography;

namespace ControlPlane.Contracts;

/// <summary>A freshly generated signing key pair as PEM text.</summary>
/// <param name="PrivateKeyPem">The private key as PKCS#8 PEM: keep it secret, never commit it.</param>
/// <param name="PublicKeyPem">SubjectPublicKeyInfo <c>-----BEGIN PUBLIC KEY-----</c>: give it to subscribers.</param>
public sealed record SigningKeyPair(string PrivateKeyPem, string PublicKeyPem);

/// <summary>Loading and generating the ECDSA P-256 keys that sign routing tables.</summary>
public static class SigningKeys
{
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>Generates a new P-256 key pair.</summary>
    public static SigningKeyPair Generate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new SigningKeyPair(key.ExportPkcs8PrivateKeyPem(), key.ExportSubjectPublicKeyInfoPem());
    }

    /// <summary>Loads a public key from SubjectPublicKeyInfo PEM (<c>-----BEGIN PUBLIC KEY-----</c>).</summary>
    /// <exception cref="ArgumentException">Not a P-256 public key PEM.</exception>
    public static ECDsa LoadPublicKeyPem(string pem) => Load(pem, "PUBLIC KEY");

    /// <summary>Loads a private key from PKCS#8 PEM.</summary>
    /// <exception cref="ArgumentException">Not a P-256 private key PEM.</exception>
    public static ECDsa LoadPrivateKeyPem(string pem) => Load(pem, "PRIVATE KEY");

    /// <summary>The public half of a key, as SubjectPublicKeyInfo PEM.</summary>
    public static string ExportPublicKeyPem(ECDsa key) => key.ExportSubjectPublicKeyInfoPem();

    private static ECDsa Load(string pem, string label)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pem);
        if (!pem.Contains($"-----BEGIN {label}-----", StringComparison.Ordinal))
        {
            throw new ArgumentException($"Expected a PEM block '-----BEGIN {label}-----'.", nameof(pem));
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            var curve = key.ExportParameters(includePrivateParameters: false).Curve;
            if (!string.Equals(curve.Oid?.Value, P256Oid, StringComparison.Ordinal) && !string.Equals(curve.Oid?.FriendlyName, "nistP256", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Expected an ECDSA P-256 key, found curve {curve.Oid?.FriendlyName ?? curve.Oid?.Value}.", nameof(pem));
            }

            return key;
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new ArgumentException($"Not a valid {label} PEM: {e.Message}", nameof(pem), e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
