using Npgsql;

namespace ControlPlane.Service.Probing.Scheduling;

/// <summary>
/// The replicas taking part in probing: the scheduler instances checked in to Quartz's clustered job store. Quartz keeps
/// the check-ins (every <see cref="ProbeSchedulingOptions.ClusterCheckinInterval"/>) and clears the row of a replica
/// found dead; a replica whose last check-in is older than the threshold is not counted, whether or not its row is gone.
/// </summary>
internal sealed class ProbeClusterMembership(NpgsqlDataSource dataSource, TimeProvider time)
{
    public async Task<IReadOnlyList<string>> LiveMembersAsync(string schedulerName, TimeSpan liveWithin, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT instance_name, last_checkin_time FROM qrtz_scheduler_state WHERE sched_name = $1");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schedulerName });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var oldest = time.GetUtcNow() - liveWithin;
        var members = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            // Quartz.NET stores check-in times as UTC DateTime ticks.
            var checkedIn = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero);
            if (checkedIn >= oldest)
            {
                members.Add(reader.GetString(0));
            }
        }

        return members;
    }

    /// <summary>Removes this replica's check-in, so the others take its share on their next look.</summary>
    public async Task LeaveAsync(string schedulerName, string instanceName, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("DELETE FROM qrtz_scheduler_state WHERE sched_name = $1 AND instance_name = $2");
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = schedulerName });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instanceName });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // Best effort: the check-in goes stale on its own.
        }
    }
}
