using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ControlPlane.Client;
using ControlPlane.Contracts;
using ControlPlane.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit;

namespace ControlPlane.Service.Tests.Chaos;

/// <summary>
/// The chaos tests stop and restart Postgres and RabbitMQ, so they run on servers of their own (never the shared ones
/// other test classes use in parallel), one test at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection : ICollectionFixture<ChaosServers>
{
    public const string Name = "chaos";
}

/// <summary>One throwaway Postgres and RabbitMQ for the whole chaos collection; each test gets its own database.</summary>
public sealed class ChaosServers : IAsyncLifetime
{
    private ThrowawayServers? _servers;

    public ThrowawayServers Servers => _servers ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _servers = await ThrowawayServers.StartAsync();

    public async Task DisposeAsync()
    {
        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }
    }

    /// <summary>Restarts whatever a previous (failed) test left stopped, then creates a fresh database.</summary>
    public async Task<ChaosDatabase> CreateDatabaseAsync()
    {
        if (!Servers.Postgres.IsRunning)
        {
            await Servers.Postgres.StartAsync();
        }

        if (!Servers.RabbitMq.IsRunning)
        {
            await Servers.RabbitMq.StartAsync();
        }

        var name = $"cp_chaos_{Guid.NewGuid():N}";
        await using (var server = new NpgsqlConnection(Servers.Postgres.ConnectionString))
        {
            await server.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", server);
            await create.ExecuteNonQueryAsync();
        }

        return new ChaosDatabase(new NpgsqlConnectionStringBuilder(Servers.Postgres.ConnectionString) { Database = name, Pooling = false }.ConnectionString);
    }

    /// <summary>The environment that puts a <see cref="ControlPlaneStack"/> on these servers, with short chaos-friendly timings.</summary>
    public Dictionary<string, string?> StackEnvironment(IReadOnlyDictionary<string, string?>? more = null)
    {
        var env = new Dictionary<string, string?>
        {
            ["ConnectionStrings__RabbitMq"] = Servers.RabbitMq.Uri,
            ["Breakers__BaseBreakDuration"] = "00:00:02",
            ["Breakers__MaxBreakDuration"] = "00:00:04",
            ["Breakers__SlowStartDuration"] = "00:00:01",
            ["Publishing__MaxRetryDelay"] = "00:00:01",
            ["Publishing__PublishTimeout"] = "00:00:02",
            ["Storage__IngestMaxRetryDelay"] = "00:00:01",
            ["Logging__LogLevel__Quartz"] = "Warning",
            ["Logging__LogLevel__MassTransit"] = "Warning",
            ["Logging__LogLevel__Npgsql"] = "Warning",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            env[key] = value;
        }

        return env;
    }
}

/// <summary>Reads a chaos test's database directly: what was committed, published and stored.</summary>
public sealed class ChaosDatabase(string connectionString)
{
    public string ConnectionString { get; } = connectionString;

    public Task<List<long>> TableVersionsAsync() => LongsAsync("SELECT version FROM routing_tables ORDER BY version");

    public Task<List<long>> PublishedVersionsAsync() => LongsAsync("SELECT version FROM routing_outbox WHERE published_at IS NOT NULL ORDER BY version");

    public async Task<long?> LatestVersionAsync() => await ScalarAsync("SELECT max(version) FROM routing_tables") is long v ? v : null;

    public async Task<long> PendingAsync() => (long)(await ScalarAsync("SELECT count(*) FROM routing_outbox WHERE published_at IS NULL"))!;

    public async Task<long> SamplesObservedBetweenAsync(DateTimeOffset from, DateTimeOffset to) =>
        (long)(await ScalarAsync("SELECT count(*) FROM probe_samples WHERE observed_at >= $1 AND observed_at < $2", from, to))!;

    private async Task<object?> ScalarAsync(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new() { Value = parameter });
        }

        return await command.ExecuteScalarAsync();
    }

    private async Task<List<long>> LongsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<long>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetInt64(0));
        }

        return values;
    }
}

/// <summary>An SDK subscriber in a host of its own, recording every table it applied, in order.</summary>
public sealed class RecordingClient : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string? _ownCacheFile;
    private readonly List<long> _applied = [];

    private RecordingClient(IHost host, string? ownCacheFile)
    {
        _host = host;
        _ownCacheFile = ownCacheFile;
        Source.TableChanged += (_, e) =>
        {
            lock (_applied)
            {
                _applied.Add(e.Current.Version);
            }
        };
        if (Source.CurrentVersion is { } initial)
        {
            lock (_applied)
            {
                _applied.Add(initial);
            }
        }
    }

    public IRoutingTableSource Source => _host.Services.GetRequiredService<IRoutingTableSource>();

    /// <summary>Versions applied, in the order they were applied.</summary>
    public IReadOnlyList<long> Applied
    {
        get
        {
            lock (_applied)
            {
                return _applied.ToList();
            }
        }
    }

    public static async Task<RecordingClient> StartAsync(
        Uri controlPlane, string rabbitMqUri, string publicKeyPem, string subscriberId, string? cacheFile = null)
    {
        var ownCacheFile = cacheFile is null ? Path.Combine(Path.GetTempPath(), $"cp-chaos-{Guid.NewGuid():N}.json") : null;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Configuration["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning";
        builder.AddControlPlaneClient(o =>
        {
            o.SubscriberId = subscriberId;
            o.ControlPlaneUrl = controlPlane.ToString();
            o.RabbitMqUri = rabbitMqUri;
            o.TrustedKeys[ControlPlaneStack.SigningKeyId] = publicKeyPem;
            o.CacheFile = cacheFile ?? ownCacheFile;
            o.SnapshotTimeout = TimeSpan.FromSeconds(2);
            o.StatusReportInterval = TimeSpan.FromSeconds(2);
            o.ReconnectDelay = TimeSpan.FromMilliseconds(200);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(2);
        });
        var host = builder.Build();
        var client = new RecordingClient(host, ownCacheFile);
        await host.StartAsync();
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_ownCacheFile is not null)
        {
            File.Delete(_ownCacheFile);
        }
    }
}

/// <summary>
/// A subscriber written with nothing but RabbitMQ.Client, an HTTP GET and the signature check, following the
/// subscriber algorithm of docs/protocol.md: its own server-named queue, bind first, snapshot second, apply only
/// newer verified versions, ack applied and ignored messages, nack rejected ones.
/// </summary>
public sealed class ProtocolSubscriber : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly RoutingTableVerifier _verifier;
    private readonly object _gate = new();
    private readonly List<long> _received = [];
    private readonly List<long> _applied = [];
    private long? _current;
    private int _rejected;

    private ProtocolSubscriber(IChannel channel, RoutingTableVerifier verifier)
    {
        _channel = channel;
        _verifier = verifier;
    }

    public long? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>The version the first snapshot gave (every newer version must then come through the broker).</summary>
    public long? Bootstrapped { get; private set; }

    /// <summary>Versions delivered by the broker, in arrival order (duplicates included).</summary>
    public IReadOnlyList<long> Received
    {
        get
        {
            lock (_gate)
            {
                return _received.ToList();
            }
        }
    }

    /// <summary>Versions applied (snapshot or broker), in order.</summary>
    public IReadOnlyList<long> Applied
    {
        get
        {
            lock (_gate)
            {
                return _applied.ToList();
            }
        }
    }

    public int Rejected => Volatile.Read(ref _rejected);

    /// <param name="snapshot">Fetches GET /api/routing-table bytes (null on 404); throws while no control plane answers.</param>
    public static async Task<ProtocolSubscriber> StartAsync(IConnection connection, RoutingTableVerifier verifier, Func<Task<byte[]?>> snapshot)
    {
        var channel = await connection.CreateChannelAsync();
        var subscriber = new ProtocolSubscriber(channel, verifier);
        await channel.ExchangeDeclareAsync(Exchanges.RoutingTable, ExchangeType.Fanout, durable: true, autoDelete: false);
        var queue = await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true);
        await channel.QueueBindAsync(queue.QueueName, Exchanges.RoutingTable, "");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            var ok = subscriber.Offer(delivery.Body.Span, fromBroker: true);
            if (ok)
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
            }
            else
            {
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
            }
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: false, consumer);

        // Bind first, fetch second: nothing published in between is missed.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (await snapshot() is { } body)
                {
                    subscriber.Offer(body, fromBroker: false);
                    lock (subscriber._gate)
                    {
                        subscriber.Bootstrapped = subscriber._current;
                    }
                }

                break;
            }
            catch (Exception e) when (attempt < 50 && e is HttpRequestException or TaskCanceledException)
            {
                await Task.Delay(200);
            }
        }

        return subscriber;
    }

    /// <returns>False when the message was rejected.</returns>
    private bool Offer(ReadOnlySpan<byte> body, bool fromBroker)
    {
        var verification = _verifier.Verify(body);
        if (!verification.IsValid)
        {
            Interlocked.Increment(ref _rejected);
            return false;
        }

        var version = verification.Message!.Version;
        lock (_gate)
        {
            if (fromBroker)
            {
                _received.Add(version);
            }

            if (_current is null || version > _current)
            {
                _current = version;
                _applied.Add(version);
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _channel.CloseAsync();
        }
        catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException or OperationCanceledException)
        {
            // The broker or connection went first.
        }

        _channel.Dispose();
    }
}

/// <summary>Small helpers shared by the chaos tests.</summary>
internal static class Chaos
{
    public static RoutingTableVerifier Verifier(ControlPlaneStack stack) =>
        RoutingTableVerifier.FromPem(new Dictionary<string, string> { [ControlPlaneStack.SigningKeyId] = stack.Keys.PublicKeyPem });

    public static async Task<IConnection> ConnectAsync(string uri) =>
        await new ConnectionFactory { Uri = new Uri(uri), AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    /// <summary>GET /api/routing-table from the first replica still alive.</summary>
    public static Func<Task<byte[]?>> Snapshot(ControlPlaneStack stack, HttpClient http) => async () =>
    {
        Exception? last = null;
        foreach (var replica in stack.Replicas.Where(r => !r.HasExited).ToList())
        {
            try
            {
                using var response = await http.GetAsync(new Uri(replica.BaseUrl, "api/routing-table"));
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                response.EnsureSuccessStatusCode();
                return await response.Content.ReadAsByteArrayAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e;
            }
        }

        throw new HttpRequestException("No replica answered the snapshot.", last);
    };

    /// <summary>The replica reporting controlplane_leader 1, when exactly one live replica does.</summary>
    public static async Task<ServiceProcess?> LeaderAsync(ControlPlaneStack stack)
    {
        var leaders = new List<ServiceProcess>();
        foreach (var replica in stack.Replicas.Where(r => !r.HasExited).ToList())
        {
            using var http = ControlPlaneStack.Client(replica);
            if (await Integration.Breakers.OperationsReader.MetricAsync(http, "controlplane_leader") == 1)
            {
                leaders.Add(replica);
            }
        }

        return leaders.Count == 1 ? leaders[0] : null;
    }

    public static async Task<Guid> DrainAsync(HttpClient operate, string target, string reason)
    {
        using var response = await operate.PostAsJsonAsync(new Uri("api/overrides", UriKind.Relative),
            new { kind = "drain-target", target, reason, ttl = "00:30:00" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetGuid();
    }

    public static async Task EndOverrideAsync(HttpClient operate, Guid id)
    {
        using var response = await operate.DeleteAsync(new Uri($"api/overrides/{id}", UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"DELETE override: {(int)response.StatusCode}");
    }

    /// <summary>A version sequence that never goes back (duplicates of the current one allowed when <paramref name="allowRepeats"/>).</summary>
    public static void AssertNeverRegresses(IReadOnlyList<long> versions, string who, bool allowRepeats = false)
    {
        for (var i = 1; i < versions.Count; i++)
        {
            var ok = allowRepeats ? versions[i] >= versions[i - 1] || versions.Take(i).Contains(versions[i]) : versions[i] > versions[i - 1];
            Assert.True(ok, $"{who} went from version {versions[i - 1]} to {versions[i]}: [{string.Join(", ", versions)}]");
        }
    }
}
