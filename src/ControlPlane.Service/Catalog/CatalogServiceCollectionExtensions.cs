using ControlPlane.Core.Catalog;
using Microsoft.Extensions.Options;

namespace ControlPlane.Service.Catalog;

public static class CatalogServiceCollectionExtensions
{
    /// <summary>
    /// Binds the "Catalog" section and validates it on start: a bad catalog stops the process with every problem listed.
    /// </summary>
    public static IHostApplicationBuilder AddCatalog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CatalogOptions>()
            .BindConfiguration(CatalogOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IKeySourceProbe, EnvironmentKeySourceProbe>();
        builder.Services.AddSingleton<IValidateOptions<CatalogOptions>, CatalogOptionsValidator>();
        builder.Services.AddSingleton(sp =>
        {
            // Program validates every section before the host starts; this throw is the backstop for hosts that do not.
            var result = CatalogBuilder.Build(sp.GetRequiredService<IOptions<CatalogOptions>>().Value, sp.GetRequiredService<IKeySourceProbe>());
            return result.Catalog ?? throw new OptionsValidationException(CatalogOptions.SectionName, typeof(CatalogOptions), result.Errors);
        });
        return builder;
    }
}

internal sealed class CatalogOptionsValidator(IKeySourceProbe keys) : IValidateOptions<CatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalogOptions options)
    {
        var result = CatalogBuilder.Build(options, keys);
        return result.Succeeded ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(result.Errors);
    }
}

/// <summary>Checks that key sources exist without ever reading a key into anything that could be logged.</summary>
internal sealed class EnvironmentKeySourceProbe : IKeySourceProbe
{
    public bool EnvironmentVariableIsSet(string name) => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name));

    public bool FileHasContent(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return false;
        }
    }
}
