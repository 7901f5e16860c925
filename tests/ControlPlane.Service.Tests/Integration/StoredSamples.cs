using Npgsql;

namespace ControlPlane.Service.Tests.Integration;

internal static class StoredSamples
{
    /// <summary>Samples stored per target with observed_at in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static async Task<Dictionary<string, long>> CountPerTargetAsync(NpgsqlDataSource dataSource, DateTimeOffset from, DateTimeOffset to)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT target_id, count(*) FROM probe_samples WHERE observed_at >= $1 AND observed_at < $2 GROUP BY target_id");
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = from });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = to });
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }
}
