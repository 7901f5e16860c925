using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Api.Auth;

/// <summary>
/// Bearer API keys for the admin API. Keys are compared as SHA-256 hashes in constant time; the key itself is
/// never kept in memory beyond the request, never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AdminApiKeyStore keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ScopeClaim = "scope";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Task.FromResult(AuthenticateResult.Fail("The Authorization header must be 'Bearer <api key>'."));
        }

        var key = keys.Find(header[7..].Trim());
        if (key is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, key.Name) };
        claims.AddRange(key.Scopes.Select(s => new Claim(ScopeClaim, s)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new()
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "API key required",
                Detail = "Send 'Authorization: Bearer <api key>' with a key configured under AdminApi:Keys.",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new()
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Insufficient scope",
                Detail = "This API key does not have the scope this endpoint needs (reads need 'read', changes need 'operate').",
            },
        });
    }
}

internal sealed record AdminApiKey(string Name, byte[] Hash, IReadOnlySet<string> Scopes);

/// <summary>The configured keys as hashes. Key files are read once at start (rotate by restarting the pods).</summary>
internal sealed class AdminApiKeyStore
{
    private readonly AdminApiKey[] _keys;

    public AdminApiKeyStore(IOptions<AdminApiOptions> options)
    {
        _keys = options.Value.Keys.Select(k => new AdminApiKey(
                k.Name!,
                k.Sha256 is { Length: > 0 } hex ? Convert.FromHexString(hex) : Hash(File.ReadAllText(k.KeyFile!).Trim()),
                ScopesOf(k.Scopes)))
            .ToArray();
    }

    public AdminApiKey? Find(string presented)
    {
        var hash = Hash(presented);
        AdminApiKey? match = null;
        // Compare against every key so the time taken does not say how many keys were tried.
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.Hash))
            {
                match = key;
            }
        }

        return match;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static HashSet<string> ScopesOf(IEnumerable<string> scopes)
    {
        var set = new HashSet<string>(scopes, StringComparer.Ordinal);
        if (set.Contains(AdminScopes.Operate))
        {
            set.Add(AdminScopes.Read);
        }

        return set;
    }
}
