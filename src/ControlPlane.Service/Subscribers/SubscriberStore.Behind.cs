namespace ControlPlane.Service.Subscribers;

/// <summary>A live subscriber still on an older routing table version than the latest.</summary>
public sealed record BehindSubscriber(string SubscriberId, long? AppliedVersion, long CurrentVersion);

public sealed partial class SubscriberStore
{
    /// <summary>
    /// Subscribers seen after <paramref name="liveSince"/> that have not applied a version published before
    /// <paramref name="publishedBefore"/>: behind for longer than the caller tolerates.
    /// </summary>
    public async Task<IReadOnlyList<BehindSubscriber>> BehindAsync(DateTimeOffset liveSince, DateTimeOffset publishedBefore, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT s.subscriber_id, s.applied_version, (SELECT max(version) FROM routing_tables) AS current
            FROM subscribers s
            WHERE s.last_seen > $1
              AND EXISTS (SELECT 1 FROM routing_tables t WHERE t.version > COALESCE(s.applied_version, 0) AND t.created_at < $2)
            ORDER BY s.subscriber_id
            """);
        command.Parameters.Add(new() { Value = liveSince });
        command.Parameters.Add(new() { Value = publishedBefore });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var behind = new List<BehindSubscriber>();
        while (await reader.ReadAsync(cancellationToken))
        {
            behind.Add(new(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetInt64(2)));
        }

        return behind;
    }
}
