using ControlPlane.Service.Leadership;
using ControlPlane.Service.Storage;
using Microsoft.Extensions.Options;
using Npgsql;
using ControlPlane.Service.Overrides;

namespace ControlPlane.Service.Breakers;

public static class BreakersServiceCollectionExtensions
{
    /// <summary>Leader election, the breaker evaluator, overrides and the audit trail.</summary>
    public static IHostApplicationBuilder AddBreakers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BreakerOptions>().BindConfiguration(BreakerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<EvaluationSignal>();
        builder.Services.AddSingleton<EvaluationStore>();
        builder.Services.AddSingleton<OverrideStore>();
        builder.Services.AddSingleton<AuditQueries>();
        builder.Services.AddSingleton<BreakerStateView>();
        builder.Services.AddSingleton<ProbeCadenceController>();

        builder.Services.AddOptions<LeadershipOptions>().BindConfiguration(LeadershipOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // The lock lives as long as its session. Unpooled, so closing the connection ends the session and frees the lock;
        // a pooled one would go back to the pool still holding it, and no replica (this one included) could take it.
        builder.Services.AddKeyedSingleton(LeaderElection.DataSourceKey, (sp, _) =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<StorageOptions>>().Value.ConnectionString);
            dataSource.ConnectionStringBuilder.Pooling = false;
            dataSource.ConnectionStringBuilder.ApplicationName = "controlplane-leader";
            dataSource.UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>());
            return dataSource.Build();
        });
        builder.Services.AddSingleton<LeaderElection>();
        builder.Services.AddSingleton<ILeadership>(sp => sp.GetRequiredService<LeaderElection>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        builder.Services.AddHostedService<BreakerEvaluator>();
        return builder;
    }
}
