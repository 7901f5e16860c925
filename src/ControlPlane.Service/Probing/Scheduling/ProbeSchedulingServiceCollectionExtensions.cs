using ControlPlane.Service.Storage;
using Quartz;

namespace ControlPlane.Service.Probing.Scheduling;

public static class ProbeSchedulingServiceCollectionExtensions
{
    /// <summary>Name of the clustered scheduler whose check-ins say which replicas share the probes.</summary>
    public const string ClusterSchedulerName = "controlplane-probes";

    /// <summary>
    /// Probing shared among replicas: Quartz on the clustered Postgres job store keeps the membership (check-ins, dead
    /// replicas cleared), each replica takes its share of the targets by rendezvous hashing and fires them from an
    /// in-memory Quartz scheduler, one job per target.
    /// </summary>
    public static IHostApplicationBuilder AddProbeScheduling(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ProbeSchedulingOptions.SectionName);
        builder.Services.AddOptions<ProbeSchedulingOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var options = section.Get<ProbeSchedulingOptions>() ?? new ProbeSchedulingOptions();
        var connectionString = StorageConnection.Resolve(builder.Configuration);

        builder.Services.AddSingleton<ProbeRunner>();
        builder.Services.AddSingleton<ProbeJob>();
        builder.Services.AddSingleton<ProbeCadences>();
        builder.Services.AddSingleton<ProbeCadenceStore>();
        builder.Services.AddSingleton<ProbeClusterMembership>();
        builder.Services.AddSingleton<LocalProbeScheduler>();
        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = ClusterSchedulerName;
                scheduler.GenerateInstanceId = true;
                // It holds no triggers now; only its check-ins matter.
                scheduler.IdleWaitTime = TimeSpan.FromSeconds(30);
            });
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = 1);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString ?? "");
                store.ConfigureStore(ado => ado.TablePrefix = "qrtz_");
                store.UseSystemTextJsonSerializer();
                if (options.Clustered)
                {
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = options.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = options.PresumedDeadAfter;
                    });
                }
            });
        });

        // Registered before Quartz's hosted service: it starts first (taking its share before the first probe) and
        // stops after it (leaving the cluster once Quartz no longer checks in).
        builder.Services.AddHostedService<ProbeScheduleReconciler>();
        builder.Services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = true;
            o.AwaitApplicationStarted = true;
        });
        return builder;
    }
}
