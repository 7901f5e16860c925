using ControlPlane.Testing;
using Quartz;

namespace ControlPlane.Service.Tests.Storage;

/// <summary>The qrtz_ tables from our migration are the ones Quartz 4.7.3's clustered AdoJobStore expects.</summary>
public sealed class QuartzSchemaTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task ClusteredScheduler_ValidatesAndUsesTheMigratedTables()
    {
        await using (var dataSource = database.CreateDataSource())
        {
            await StorageTestKit.NewRunner(dataSource).MigrateAsync(CancellationToken.None);
        }

        var scheduler = await QuartzSchedulerBuilder.Create(quartz =>
        {
            quartz.ConfigureScheduler(options =>
            {
                options.InstanceName = "cp-storage-test";
                options.InstanceId = "node-1";
            });
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(database.ConnectionString);
                store.ConfigureStore(options => options.TablePrefix = "qrtz_");
                store.UseSystemTextJsonSerializer();
                store.UseClustering();
            });
        }).BuildScheduler();
        try
        {
            await scheduler.Start();
            var job = JobBuilder.Create<NoopJob>().WithIdentity("probe", "targets").UsingJobData("target", "anthropic/claude").Build();
            var trigger = TriggerBuilder.Create().WithIdentity("probe", "targets")
                .StartAt(DateTimeOffset.UtcNow.AddHours(1))
                .WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(10)).RepeatForever())
                .Build();
            await scheduler.ScheduleJob(job, trigger);

            await using var dataSource = database.CreateDataSource();
            await using var triggers = dataSource.CreateCommand(
                "SELECT count(*) FROM qrtz_triggers WHERE sched_name = 'cp-storage-test' AND trigger_name = 'probe'");
            Assert.Equal(1L, await triggers.ExecuteScalarAsync());
            await using var nodes = dataSource.CreateCommand("SELECT count(*) FROM qrtz_scheduler_state WHERE instance_name = 'node-1'");
            Assert.Equal(1L, await nodes.ExecuteScalarAsync());
            var stored = await scheduler.GetJobDetail(new JobKey("probe", "targets"));
            Assert.Equal("anthropic/claude", stored!.JobDataMap.GetString("target"));
        }
        finally
        {
            await scheduler.Shutdown(waitForJobsToComplete: false);
        }
    }

    private sealed class NoopJob : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
