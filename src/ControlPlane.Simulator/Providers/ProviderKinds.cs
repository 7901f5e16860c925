// The kinds and their names are declared once, in Contracts; the simulator keeps its own word for the enum.
global using SimulatedProviderKind = ControlPlane.Contracts.Providers.ProviderKind;

using Shared = ControlPlane.Contracts.Providers.ProviderKinds;

namespace ControlPlane.Simulator.Providers;

internal static class ProviderKinds
{
    public static IReadOnlyCollection<string> Names => Shared.Names;

    public static bool TryParse(string? value, out SimulatedProviderKind kind) => Shared.TryParse(value, out kind);

    public static string Name(this SimulatedProviderKind kind) => Shared.ToName(kind);
}
