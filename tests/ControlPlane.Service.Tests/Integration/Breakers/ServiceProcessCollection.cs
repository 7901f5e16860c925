namespace ControlPlane.Service.Tests.Integration.Breakers;

/// <summary>Integration tests that run service processes go one class at a time: two shared cores, no timing games.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServiceProcessCollection
{
    public const string Name = "service processes";
}
