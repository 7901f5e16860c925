using ControlPlane.Service.Storage;

namespace ControlPlane.Service.Leadership;

public static class LeadershipServiceCollectionExtensions
{
    /// <summary>Leader election through a Postgres advisory lock (<see cref="ILeadership"/>).</summary>
    public static IHostApplicationBuilder AddLeadership(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LeadershipOptions>().BindConfiguration(LeadershipOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        // The lock lives as long as its session. Unpooled, so closing the connection ends the session and frees the lock;
        // a pooled one would go back to the pool still holding it, and no replica (this one included) could take it.
        builder.Services.AddKeyedSingleton(LeaderElection.DataSourceKey, (sp, _) =>
            StorageConnection.CreateDataSource(sp, "controlplane-leader", connection => connection.Pooling = false));
        builder.Services.AddSingleton<LeaderElection>();
        builder.Services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<LeaderElection>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        return builder;
    }
}
