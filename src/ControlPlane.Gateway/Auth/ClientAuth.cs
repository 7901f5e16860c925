using System.Security.Cryptography;
using System.Text;
using ControlPlane.Gateway.Forwarding;
using ControlPlane.Gateway.Translation;
using ControlPlane.Gateway.Hosting;
using ControlPlane.Gateway.Upstreams;
using Microsoft.Extensions.Options;

namespace ControlPlane.Gateway.Auth;

/// <summary>
/// Inbound virtual keys: off while <see cref="GatewayOptions.ClientKeys"/> is empty. Clients send their key the way
/// their SDK does (<c>Authorization: Bearer</c> for OpenAI, <c>x-api-key</c> for Anthropic); the gateway keeps only
/// SHA-256 hashes. Only the API paths are guarded; health and metrics stay open for the platform.
/// </summary>
internal sealed class ClientKeyVerifier(IOptions<GatewayOptions> options)
{
    private readonly HashSet<string> _hashes = options.Value.ClientKeys.Select(h => h.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);

    public bool Enabled => _hashes.Count > 0;

    public bool IsValid(string? key) =>
        !string.IsNullOrEmpty(key) && _hashes.Contains(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));

    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue("x-api-key", out var apiKey) && apiKey.Count > 0)
        {
            return apiKey[0];
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
    }
}

public static class ClientAuthExtensions
{
    public static IHostApplicationBuilder AddClientAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ClientKeyVerifier>();
        return builder;
    }

    public static WebApplication UseClientAuth(this WebApplication app)
    {
        var verifier = app.Services.GetRequiredService<ClientKeyVerifier>();
        var codecs = app.Services.GetRequiredService<CodecRegistry>();
        if (!verifier.Enabled)
        {
            return app;
        }

        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/v1") && !verifier.IsValid(ClientKeyVerifier.PresentedKey(context.Request)))
            {
                var format = context.Request.Path.StartsWithSegments("/v1/messages") ? ApiFormat.AnthropicMessages
                    : context.Request.Path.StartsWithSegments("/v1/responses") ? ApiFormat.OpenAiResponses
                    : ApiFormat.OpenAiChat;
                AttemptRecorder.Finished(GatewayMetrics.UnknownRoute, ChatForwarder.ApiLabel(format), "unauthorized");
                await ApiErrors.WriteAsync(context, codecs.Client(format),
                    new ApiFault(401, FaultKind.Authentication, "Missing or invalid API key for this gateway.", "invalid_api_key"));
                return;
            }

            await next(context);
        });
        return app;
    }
}
