using ControlPlane.Contracts;

namespace ControlPlane.Testing;

/// <summary>
/// Environment variables for running the control plane as a process: its database, the broker and a fresh signing
/// key. Tests add their catalog and overrides on top.
/// </summary>
public sealed class ServiceEnvironment
{
    public const string SigningKeyId = "test-key-1";

    private ServiceEnvironment(Dictionary<string, string?> variables, SigningKeyPair keys)
    {
        Variables = variables;
        Keys = keys;
    }

    public Dictionary<string, string?> Variables { get; }

    /// <summary>The key pair tables are signed with; subscribers trust <see cref="SigningKeyPair.PublicKeyPem"/>.</summary>
    public SigningKeyPair Keys { get; }

    public IReadOnlyDictionary<string, string> TrustedKeys => new Dictionary<string, string> { [SigningKeyId] = Keys.PublicKeyPem };

    /// <param name="rabbitMqUri">A broker of the test's own (e.g. one it stops); the shared one when null.</param>
    public static async Task<ServiceEnvironment> CreateAsync(string postgresConnectionString, string? rabbitMqUri = null)
    {
        var keys = SigningKeys.Generate();
        var variables = new Dictionary<string, string?>
        {
            ["ConnectionStrings__ControlPlane"] = postgresConnectionString,
            ["ConnectionStrings__RabbitMq"] = rabbitMqUri ?? await TestServices.RabbitMqAsync(),
            ["Publishing__SigningKeyId"] = SigningKeyId,
            ["Publishing__SigningKeyPem"] = keys.PrivateKeyPem,
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__Quartz"] = "Warning",
            ["Logging__LogLevel__MassTransit"] = "Warning",
        };
        return new ServiceEnvironment(variables, keys);
    }

    /// <summary>A copy with more variables (later ones win).</summary>
    public Dictionary<string, string?> With(IEnumerable<KeyValuePair<string, string?>> more)
    {
        var copy = new Dictionary<string, string?>(Variables);
        foreach (var (key, value) in more)
        {
            copy[key] = value;
        }

        return copy;
    }
}
