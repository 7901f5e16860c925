namespace ControlPlane.Service.Hosting;

/// <summary>This process's identity among the replicas: the pod name when there is one, made unique per start.</summary>
public sealed class ReplicaIdentity
{
    public string Id { get; } = $"{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..8]}";
}
