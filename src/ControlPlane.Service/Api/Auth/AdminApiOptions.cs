using System.Globalization;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Api.Auth;

/// <summary>The "AdminApi" section: who may read and who may operate the control plane.</summary>
public sealed class AdminApiOptions
{
    public const string SectionName = "AdminApi";

    /// <summary>When false (default) reads are open, as /metrics is; writes always need an operate key.</summary>
    public bool RequireKeyForReads { get; set; }

    public List<AdminApiKeyOptions> Keys { get; set; } = [];
}

/// <summary>One API key, configured by its SHA-256 hash or by a secret file holding it; never in plain configuration.</summary>
public sealed class AdminApiKeyOptions
{
    /// <summary>Who holds the key; recorded in the audit log of every change made with it.</summary>
    public string? Name { get; set; }

    /// <summary>Lower- or upper-case hex SHA-256 of the key (e.g. <c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string? Sha256 { get; set; }

    /// <summary>Path of a file (a mounted Secret) holding the key itself.</summary>
    public string? KeyFile { get; set; }

    /// <summary>read and/or operate. operate implies read.</summary>
    public List<string> Scopes { get; set; } = [];
}

internal sealed class AdminApiOptionsValidator : IValidateOptions<AdminApiOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminApiOptions options)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            var where = $"AdminApi:Keys:{i}" + (key.Name is null ? "" : $" ('{key.Name}')");
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                errors.Add($"{where}: Name is required (it is recorded with every change made with the key).");
            }
            else if (!names.Add(key.Name))
            {
                errors.Add($"{where}: duplicate key name '{key.Name}'.");
            }

            var hasHash = !string.IsNullOrWhiteSpace(key.Sha256);
            var hasFile = !string.IsNullOrWhiteSpace(key.KeyFile);
            if (hasHash == hasFile)
            {
                errors.Add($"{where}: set exactly one of Sha256 or KeyFile.");
            }
            else if (hasHash && !IsSha256Hex(key.Sha256!))
            {
                errors.Add($"{where}: Sha256 must be 64 hex characters.");
            }
            else if (hasFile && !(File.Exists(key.KeyFile) && new FileInfo(key.KeyFile!).Length > 0))
            {
                errors.Add($"{where}: KeyFile '{key.KeyFile}' is missing or empty.");
            }

            if (key.Scopes.Count == 0)
            {
                errors.Add($"{where}: Scopes must name read and/or operate.");
            }

            foreach (var scope in key.Scopes.Where(s => s is not (AdminScopes.Read or AdminScopes.Operate)))
            {
                errors.Add($"{where}: unknown scope '{scope}'; expected read or operate.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsSha256Hex(string value) =>
        value.Length == 64 && value.All(c => char.IsAsciiHexDigit(c)) && ulong.TryParse(value[..8], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _);
}

public static class AdminScopes
{
    public const string Read = "read";
    public const string Operate = "operate";
}
