using ControlPlane.Contracts;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Publishing;

/// <summary>The "Publishing" section: how routing tables are signed and distributed.</summary>
public sealed class PublishingOptions
{
    public const string SectionName = "Publishing";

    /// <summary>Key id published with every signature; subscribers look the public key up by it, so keys can rotate.</summary>
    public string? SigningKeyId { get; set; }

    /// <summary>Path of the PKCS#8 PEM private key (a mounted Secret). Create one with <c>ControlPlane.Service keygen DIR</c>.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The PEM itself, for environments that inject secrets as variables. Set this or the file, not both.</summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>How often the relay looks for unpublished versions when nothing woke it (covers takeover by a new leader).</summary>
    public TimeSpan RelayPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between publish retries while the broker is away.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one publish may wait for the broker's confirm.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

internal sealed class PublishingOptionsValidator(IConfiguration configuration) : IValidateOptions<PublishingOptions>
{
    public ValidateOptionsResult Validate(string? name, PublishingOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("RabbitMq")))
        {
            errors.Add("ConnectionStrings:RabbitMq is required (an amqp:// URI): routing tables are distributed over RabbitMQ.");
        }
        else if (!Uri.TryCreate(configuration.GetConnectionString("RabbitMq"), UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps" or "rabbitmq"))
        {
            errors.Add("ConnectionStrings:RabbitMq must be an amqp:// or amqps:// URI.");
        }

        if (string.IsNullOrWhiteSpace(options.SigningKeyId))
        {
            errors.Add("Publishing:SigningKeyId is required: subscribers find the public key by it.");
        }

        var hasFile = !string.IsNullOrWhiteSpace(options.SigningKeyFile);
        var hasPem = !string.IsNullOrWhiteSpace(options.SigningKeyPem);
        if (hasFile == hasPem)
        {
            errors.Add("Set exactly one of Publishing:SigningKeyFile or Publishing:SigningKeyPem (create a key with `ControlPlane.Service keygen DIR`).");
        }
        else
        {
            try
            {
                using var key = SigningKeys.LoadPrivateKeyPem(hasFile ? File.ReadAllText(options.SigningKeyFile!) : options.SigningKeyPem!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Security.Cryptography.CryptographicException or FormatException)
            {
                // The exception type only: the message of a PEM parser can quote key material.
                errors.Add($"The signing key {(hasFile ? $"file '{options.SigningKeyFile}'" : "in Publishing:SigningKeyPem")} is not a readable PKCS#8 P-256 private key ({e.GetType().Name}).");
            }
        }

        foreach (var (field, value) in new[] { ("RelayPollInterval", options.RelayPollInterval), ("MaxRetryDelay", options.MaxRetryDelay), ("PublishTimeout", options.PublishTimeout) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"Publishing:{field} must be greater than zero.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
