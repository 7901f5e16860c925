using System.Security.Cryptography;
using System.Text;
using ControlPlane.Contracts;
using ControlPlane.Gateway.Auth;
using ControlPlane.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Degradation;

/// <summary>
/// A request's class decides what it gets while its route is degraded (served, held for the primary tier, or shed).
/// It comes from the <see cref="Header"/> header, else the client key's default
/// (<see cref="GatewayOptions.ClientKeyClasses"/>), else the route's default (from the table).
/// </summary>
internal sealed class RequestClasses(IOptions<GatewayOptions> options)
{
    public const string Header = "x-request-class";

    public const string Critical = "critical";

    public const string Standard = "standard";

    public const string Background = "background";

    public const string NeedsPrimary = "needs-primary";

    private readonly Dictionary<string, string> _byKey =
        options.Value.ClientKeyClasses.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value, StringComparer.Ordinal);

    /// <summary>
    /// The class the request names (header) or its key implies; null when neither says (the route's default applies).
    /// </summary>
    /// <exception cref="InvalidRequestClassException">The header is not a valid class name.</exception>
    public string? Requested(HttpRequest request)
    {
        if (request.Headers.TryGetValue(Header, out var values) && values.Count > 0 && !string.IsNullOrWhiteSpace(values[0]))
        {
            var name = values[0]!.Trim();
            return RequestClassRules.IsValidName(name)
                ? name
                : throw new InvalidRequestClassException(
                    $"The {Header} header must name a request class: 1–{RequestClassRules.MaxNameLength} lower-case letters, digits or '-'.");
        }

        if (_byKey.Count > 0 && ClientKeyVerifier.PresentedKey(request) is { Length: > 0 } key)
        {
            return _byKey.GetValueOrDefault(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));
        }

        return null;
    }

    /// <summary>True for the class that must keep its latency when a target is saturated.</summary>
    public static bool IsCritical(string? requestClass) => string.Equals(requestClass, Critical, StringComparison.Ordinal);
}

/// <summary>The request's class header is malformed: a 400 in the client's API.</summary>
internal sealed class InvalidRequestClassException(string message) : Exception(message);
