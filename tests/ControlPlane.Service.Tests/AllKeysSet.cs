using ControlPlane.Core.Catalog;

namespace ControlPlane.Service.Tests;

/// <summary>A key-source probe for catalogs built in tests: every named variable and file holds a key.</summary>
public sealed class AllKeysSet : IKeySourceProbe
{
    public static AllKeysSet Instance { get; } = new();

    public bool EnvironmentVariableIsSet(string name) => true;

    public bool FileHasContent(string path) => true;
}
