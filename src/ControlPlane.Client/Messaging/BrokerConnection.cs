using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace ControlPlane.Client.Messaging;

/// <summary>
/// The RabbitMQ connections of a subscriber process: one that consumes routing tables and one that publishes (the SDK's
/// status reports, a gateway's traffic reports, through <see cref="BrokerPublisher"/>). Two, because a broker under a
/// memory or disk alarm blocks every connection that publishes, and a blocked connection no longer reads its
/// consumers' acks: with one connection a report would stall the next routing table. The SDK's subscription loop opens
/// both, and opens them again when either is lost; publishers take a channel on whatever publishing connection is open
/// and drop their message while there is none.
/// </summary>
public sealed class BrokerConnection : IAsyncDisposable, IDisposable
{
    private readonly ConnectionFactory _factory;
    private readonly Lock _gate = new();
    private volatile IConnection? _connection;
    private volatile IConnection? _publishing;
    private Task _closed = Task.CompletedTask;

    /// <summary>A connection to <paramref name="uri"/> that shows as <paramref name="clientName"/> in the broker's UI.</summary>
    public BrokerConnection(Uri uri, string clientName)
    {
        ArgumentNullException.ThrowIfNull(uri);
        _factory = new ConnectionFactory
        {
            Uri = uri,
            // The owner's loop does the recovering: the library's recovery neither retries a failed first connect nor
            // says when to re-fetch the snapshot, which every (re)connect must do.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            ClientProvidedName = clientName,
        };
    }

    /// <summary>The open consuming connection, or null while there is none (not yet opened, lost, or closed).</summary>
    public IConnection? Current => _connection is { IsOpen: true } open ? open : null;

    /// <summary>The open publishing connection, or null while there is none: what publishers open their channels on.</summary>
    public IConnection? CurrentForPublishing => _publishing is { IsOpen: true } open ? open : null;

    /// <summary>Completes when either connection opened by the last <see cref="ConnectAsync"/> shuts down.</summary>
    public Task Closed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>
    /// Opens new connections (consuming and publishing) in place of the previous ones (closed first). Called by the
    /// connections' owner only, the SDK's subscription loop, which decides when to retry; publishers never connect,
    /// they use <see cref="CurrentForPublishing"/>.
    /// </summary>
    /// <returns>The consuming connection.</returns>
    /// <exception cref="Exception">The broker cannot be reached or refuses a connection; nothing stays open.</exception>
    public async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await CloseAsync();
        var connection = await _factory.CreateConnectionAsync(cancellationToken);
        IConnection publishing;
        try
        {
            publishing = await _factory.CreateConnectionAsync(_factory.ClientProvidedName + " (publish)", cancellationToken);
        }
        catch
        {
            await CloseQuietlyAsync(connection);
            throw;
        }

        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AsyncEventHandler<ShutdownEventArgs> onShutdown = (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        connection.ConnectionShutdownAsync += onShutdown;
        publishing.ConnectionShutdownAsync += onShutdown;

        lock (_gate)
        {
            _connection = connection;
            _publishing = publishing;
            _closed = connection.IsOpen && publishing.IsOpen ? closed.Task : Task.CompletedTask;
        }

        return connection;
    }

    /// <summary>Closes both connections, if any, and every channel on them. Never throws.</summary>
    public async Task CloseAsync()
    {
        IConnection? connection;
        IConnection? publishing;
        lock (_gate)
        {
            (connection, publishing) = (_connection, _publishing);
            (_connection, _publishing) = (null, null);
        }

        await CloseQuietlyAsync(publishing);
        await CloseQuietlyAsync(connection);
    }

    private static async Task CloseQuietlyAsync(IConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            if (connection.IsOpen)
            {
                await connection.CloseAsync(TimeSpan.FromSeconds(2));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Already gone.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await CloseAsync();

    /// <inheritdoc />
    public void Dispose()
    {
        IConnection? connection;
        IConnection? publishing;
        lock (_gate)
        {
            (connection, publishing) = (_connection, _publishing);
            (_connection, _publishing) = (null, null);
        }

        publishing?.Dispose();
        connection?.Dispose();
    }
}
