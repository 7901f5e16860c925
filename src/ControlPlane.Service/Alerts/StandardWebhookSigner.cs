using System.Security.Cryptography;
using System.Text;

namespace ControlPlane.Service.Alerts;

/// <summary>
/// Standard Webhooks signatures: <c>webhook-signature</c> is <c>v1,</c> + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))
/// where the key is the base64 part of a <c>whsec_…</c> secret. While rotating, every configured secret signs and the
/// signatures are space-separated: a receiver accepts the request if any of them verifies.
/// </summary>
public static class StandardWebhookSigner
{
    public const string SecretPrefix = "whsec_";

    public static string Sign(IEnumerable<string> secrets, string id, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var content = Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}");
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), content))));
    }

    /// <summary>Splits a configured value into its secrets (space- or comma-separated while rotating).</summary>
    public static IReadOnlyList<string> Split(string configured) =>
        configured.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Null when every secret is usable; otherwise what is wrong, without quoting any of them.</summary>
    public static string? ValidateSecrets(string configured)
    {
        var secrets = Split(configured);
        if (secrets.Count == 0)
        {
            return "no webhook secret configured";
        }

        for (var i = 0; i < secrets.Count; i++)
        {
            if (!secrets[i].StartsWith(SecretPrefix, StringComparison.Ordinal))
            {
                return $"webhook secret #{i + 1} must start with '{SecretPrefix}'";
            }

            try
            {
                if (KeyOf(secrets[i]).Length is < 24 or > 64)
                {
                    return $"webhook secret #{i + 1} must encode 24 to 64 random bytes";
                }
            }
            catch (FormatException)
            {
                return $"webhook secret #{i + 1} is not '{SecretPrefix}' followed by base64";
            }
        }

        return null;
    }

    private static byte[] KeyOf(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);
}
