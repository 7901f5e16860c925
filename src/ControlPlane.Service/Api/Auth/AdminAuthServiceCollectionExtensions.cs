using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Api.Auth;

public static class AdminPolicies
{
    public const string Read = "admin-read";
    public const string Operate = "admin-operate";
}

public static class AdminAuthServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddAdminAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminApiOptions>().BindConfiguration(AdminApiOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdminApiOptions>, AdminApiOptionsValidator>();
        builder.Services.AddSingleton<AdminApiKeyStore>();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationHandler, ReadAccessHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicies.Read, p => p.AddRequirements(new ReadAccessRequirement()))
            .AddPolicy(AdminPolicies.Operate, p => p.RequireAuthenticatedUser().RequireClaim(ApiKeyAuthenticationHandler.ScopeClaim, AdminScopes.Operate));
        return builder;
    }
}

internal sealed class ReadAccessRequirement : IAuthorizationRequirement;

/// <summary>Reads are open unless AdminApi:RequireKeyForReads; then they need a key with the read scope.</summary>
internal sealed class ReadAccessHandler(IOptions<AdminApiOptions> options) : AuthorizationHandler<ReadAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadAccessRequirement requirement)
    {
        if (!options.Value.RequireKeyForReads || context.User.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, AdminScopes.Read))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
