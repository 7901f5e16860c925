using ControlPlane.Service.Storage;
using Microsoft.Extensions.Options;
using Quartz;

namespace ControlPlane.Service.Probing.Scheduling;

public static class ProbeSchedulingServiceCollectionExtensions
{
    /// <summary>
    /// Quartz on the Postgres job store, clustered so N replicas probe each target once per interval, not N times.
    /// </summary>
    public static IHostApplicationBuilder AddProbeScheduling(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ProbeSchedulingOptions.SectionName);
        builder.Services.AddOptions<ProbeSchedulingOptions>().Bind(section).ValidateDataAnnotations().ValidateOnStart();
        var options = section.Get<ProbeSchedulingOptions>() ?? new ProbeSchedulingOptions();
        var connectionString = StorageConnection.Resolve(builder.Configuration);

        builder.Services.AddSingleton<ProbeRunner>();
        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "controlplane-probes";
                scheduler.GenerateInstanceId = true;
                // Quartz refuses a batch larger than its thread pool (acquired triggers would wait for a thread).
                scheduler.MaxBatchSize = Math.Min(options.BatchSize, options.MaxConcurrency);
                scheduler.IdleWaitTime = options.IdleWaitTime;
                scheduler.BatchTriggerAcquisitionFireAheadTimeWindow = options.BatchFireAheadWindow;
            });
            q.UseDefaultThreadPool(tp => tp.MaxConcurrency = options.MaxConcurrency);
            q.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString ?? "");
                store.ConfigureStore(ado =>
                {
                    ado.TablePrefix = "qrtz_";
                    ado.StoreJobDataAsStrings = true;
                    ado.MisfireThreshold = options.MisfireThreshold;
                    // Lock-free rounds claim each trigger by compare-and-swap, which keeps batch acquisition safe in a
                    // cluster; they need every probe job to allow concurrent execution (ProbeJob does) and acquisition
                    // outside the lock. Without them, batch acquisition in a cluster must happen under the lock.
                    ado.LockFreeFiringRounds = options.LockFreeFiringRounds;
                    ado.AcquireTriggersWithinLock = !options.LockFreeFiringRounds;
                });
                store.UseSystemTextJsonSerializer();
                if (options.Clustered)
                {
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = options.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = options.ClusterCheckinInterval * 3;
                    });
                }
            });
        });

        // The reconciler is registered before Quartz's hosted service so the schedule is right before the first fire.
        builder.Services.AddHostedService<ProbeScheduleReconciler>();
        builder.Services.AddQuartzHostedService(o =>
        {
            o.WaitForJobsToComplete = true;
            o.AwaitApplicationStarted = true;
        });
        return builder;
    }
}
