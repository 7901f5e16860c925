using RabbitMQ.Client;

namespace ControlPlane.Client.Messaging;

/// <summary>
/// The one RabbitMQ connection of a subscriber process. The SDK's subscription loop opens it, and opens it again after
/// every loss; publishers (<see cref="BrokerPublisher"/>: the SDK's status reports, a gateway's traffic reports) each
/// take a channel on whatever connection is open and drop their message while there is none.
/// </summary>
public sealed class BrokerConnection : IAsyncDisposable, IDisposable
{
    private readonly ConnectionFactory _factory;
    private readonly Lock _gate = new();
    private volatile IConnection? _connection;
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

    /// <summary>The open connection, or null while there is none (not yet opened, lost, or closed).</summary>
    public IConnection? Current => _connection is { IsOpen: true } open ? open : null;

    /// <summary>Completes when the connection opened by the last <see cref="ConnectAsync"/> shuts down.</summary>
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
    /// Opens a new connection in place of the previous one (closed first). Called by the connection's owner only, the
    /// SDK's subscription loop, which decides when to retry; publishers never connect, they use <see cref="Current"/>.
    /// </summary>
    /// <exception cref="Exception">The broker cannot be reached or refuses the connection; nothing stays open.</exception>
    public async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await CloseAsync();
        var connection = await _factory.CreateConnectionAsync(cancellationToken);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        lock (_gate)
        {
            _connection = connection;
            _closed = connection.IsOpen ? closed.Task : Task.CompletedTask;
        }

        return connection;
    }

    /// <summary>Closes the connection, if any, and every channel on it. Never throws.</summary>
    public async Task CloseAsync()
    {
        IConnection? connection;
        lock (_gate)
        {
            connection = _connection;
            _connection = null;
        }

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
        lock (_gate)
        {
            connection = _connection;
            _connection = null;
        }

        connection?.Dispose();
    }
}
