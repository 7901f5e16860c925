using System.Reflection;
using System.Text.Json;

namespace ControlPlane.Client.Tests;

/// <summary>
/// The SDK is carried into every consumer's process: it must not pull in ASP.NET Core (or anything of our own beyond
/// Contracts), as it once did through a framework reference it never used.
/// </summary>
public sealed class SdkDependencyTests
{
    private static readonly Assembly Sdk = typeof(RouteSelector).Assembly;

    [Fact]
    public void SdkAssembly_ReferencesNoAspNetCoreAndNoOtherProjectThanContracts()
    {
        var names = Sdk.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(names, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Equal(["ControlPlane.Contracts"], names.Where(n => n.StartsWith("ControlPlane.", StringComparison.Ordinal)));
    }

    [Fact]
    public void SdkAsSeenByAConsumer_BringsNoSharedFramework()
    {
        // NuGet's assets file of a project that references the SDK (this one) records what the SDK hands on to every
        // consumer, framework references included: ASP.NET Core used to be listed there.
        var assetsFile = Path.Combine(ProjectDirectory(), "obj", "project.assets.json");
        using var assets = JsonDocument.Parse(File.ReadAllText(assetsFile));
        var target = assets.RootElement.GetProperty("targets").EnumerateObject().First().Value;
        var sdk = target.EnumerateObject().First(p => p.Name.StartsWith("ControlPlane.Client/", StringComparison.Ordinal)).Value;

        Assert.False(sdk.TryGetProperty("frameworkReferences", out var frameworks), $"The SDK hands on shared frameworks: {frameworks}");
        Assert.DoesNotContain(sdk.GetProperty("dependencies").EnumerateObject(), d => d.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    private static string ProjectDirectory()
    {
        // …/tests/ControlPlane.Client.Tests/bin/<Configuration>/net10.0/
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ControlPlane.Client.Tests.csproj")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("ControlPlane.Client.Tests.csproj not found above the test binaries.");
    }
}
