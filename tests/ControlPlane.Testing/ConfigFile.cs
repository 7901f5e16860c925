using System.Text.Json;

namespace ControlPlane.Testing;

/// <summary>
/// A throwaway JSON configuration file (a catalog, typically) for a service process, named to it through
/// <c>CONTROLPLANE_CONFIG_FILE</c>. Deleted on dispose.
/// </summary>
public sealed class ConfigFile : IDisposable
{
    public const string Variable = "CONTROLPLANE_CONFIG_FILE";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private ConfigFile(string path) => Path = path;

    public string Path { get; }

    /// <summary>Serialises <paramref name="configuration"/> (anonymous objects, dictionaries, lists) to a temp file.</summary>
    public static ConfigFile Write(object configuration)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"controlplane-config-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(configuration, Json));
        return new ConfigFile(path);
    }

    public void Dispose() => File.Delete(Path);
}
