using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Hosting;

namespace ControlPlane.Hosting;

/// <summary>
/// An extra JSON file (a mounted ConfigMap holding the catalog or the gateway's providers) named by
/// CONTROLPLANE_CONFIG_FILE. It sits above appsettings.json and below environment variables and the command line, so
/// those still override it. One implementation for the control plane and the gateway.
/// </summary>
public static class ConfigFileSource
{
    /// <summary>The environment variable naming the file.</summary>
    public const string Variable = "CONTROLPLANE_CONFIG_FILE";

    /// <summary>Inserts the file named by <see cref="Variable"/>, if set, above the JSON files of <paramref name="builder"/>.</summary>
    public static void AddTo(IHostApplicationBuilder builder)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } path)
        {
            return;
        }

        // Right after the last JSON file (appsettings.{Environment}.json): below unprefixed env vars and the command line.
        var sources = builder.Configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                lastJson = i;
            }
        }

        var file = new JsonConfigurationSource { Path = Path.GetFullPath(path), Optional = false, ReloadOnChange = false };
        file.ResolveFileProvider();
        sources.Insert(lastJson + 1, file);
    }
}
