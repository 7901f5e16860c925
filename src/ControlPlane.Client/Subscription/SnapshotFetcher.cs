using System.Net;
using ControlPlane.Contracts;
using Microsoft.Extensions.Logging;

namespace ControlPlane.Client.Subscription;

/// <summary>
/// One bounded <c>GET /api/routing-table</c> (Refit <see cref="IControlPlaneSnapshotApi"/>), offered to the store as
/// <see cref="TableSource.Snapshot"/>. It bootstraps a starting client, closes the gap after every (re)connect, brings
/// news while the broker is away, and settles version conflicts. Never throws for a failed fetch: the store keeps the
/// last good table.
/// </summary>
internal sealed class SnapshotFetcher(
    RoutingTableStore store, IControlPlaneSnapshotApi snapshots, TimeSpan timeout, ILogger logger)
{
    /// <returns>True when the control plane answered with a valid table (applied or not newer) or with 404.</returns>
    public async Task<bool> TryFetchAsync(CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await snapshots.GetRoutingTableAsync(timeoutSource.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                store.RecordContact();
                Log.NoTableYet(logger);
                return true;
            }

            if (!response.IsSuccessStatusCode)
            {
                Log.SnapshotFailed(logger, $"HTTP {(int)response.StatusCode}", null);
                return false;
            }

            // The size limit holds before parsing here too: never buffer more than the limit of an answer.
            if (response.Content.Headers.ContentLength is > ProtocolLimits.MaxMessageBytes and var declared)
            {
                return store.RejectOversized(declared, TableSource.Snapshot).Outcome != ApplyOutcome.Rejected;
            }

            var body = await ReadBoundedAsync(response.Content, timeoutSource.Token);
            return body is null
                ? store.RejectOversized(ProtocolLimits.MaxMessageBytes + 1L, TableSource.Snapshot).Outcome != ApplyOutcome.Rejected
                : store.Offer(body, TableSource.Snapshot).Outcome != ApplyOutcome.Rejected;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Refit wraps transport failures (ApiRequestException); whatever it is, we keep the last good table.
            Log.SnapshotFailed(logger, e.GetBaseException().Message, null);
            return false;
        }
    }

    /// <returns>The body, or null when it is longer than <see cref="ProtocolLimits.MaxMessageBytes"/> (read no further).</returns>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > ProtocolLimits.MaxMessageBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
