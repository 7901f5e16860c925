namespace ControlPlane.Service.Storage;

public static class StorageConnection
{
    /// <summary>"Storage:ConnectionString" wins over "ConnectionStrings:ControlPlane" (the Helm chart sets the latter from a Secret).</summary>
    public static string? Resolve(IConfiguration configuration) =>
        configuration["Storage:ConnectionString"] is { Length: > 0 } explicitConnection
            ? explicitConnection
            : configuration.GetConnectionString("ControlPlane");
}
